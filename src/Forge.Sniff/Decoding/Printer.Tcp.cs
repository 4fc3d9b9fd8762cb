namespace Forge.Sniff.Decoding;

/// <summary>The TCP connection table behind relative sequence numbers (tcpdump's tcp_seq_hash).</summary>
internal sealed partial class Printer
{
    private readonly record struct ConnectionKey(UInt128 Src, UInt128 Dst, uint Ports, bool V6);

    private struct SequenceBase
    {
        public uint Seq;
        public uint Ack;
    }

    private readonly Dictionary<ConnectionKey, SequenceBase> _connections = [];

    /// <summary>
    /// Makes <paramref name="seq"/> and <paramref name="ack"/> relative to the first packet seen in the
    /// connection (or its latest SYN). Both directions share one entry keyed by the lower port first;
    /// <paramref name="rev"/> says this packet goes the other way.
    /// </summary>
    public void RelativeSequence(ReadOnlySpan<byte> ip, bool v6, ushort sport, ushort dport, bool syn, ref uint seq, ref uint ack, out uint thseq, out uint thack, out bool rev)
    {
        var src = v6 ? ip.Slice(8, 16) : ip.Slice(12, 4);
        var dst = v6 ? ip.Slice(24, 16) : ip.Slice(16, 4);
        rev = sport > dport || (sport == dport && src.SequenceCompareTo(dst) > 0);
        var key = rev
            ? new ConnectionKey(Tcp.Key16(dst), Tcp.Key16(src), ((uint)dport << 16) | sport, v6)
            : new ConnectionKey(Tcp.Key16(src), Tcp.Key16(dst), ((uint)sport << 16) | dport, v6);
        if (!_connections.TryGetValue(key, out var th) || syn)
        {
            if (rev)
            {
                th.Ack = seq;
                th.Seq = ack - 1;
            }
            else
            {
                th.Seq = seq;
                th.Ack = ack - 1;
            }

            _connections[key] = th;
        }
        else if (rev)
        {
            seq -= th.Ack;
            ack -= th.Seq;
        }
        else
        {
            seq -= th.Seq;
            ack -= th.Ack;
        }

        thseq = th.Seq;
        thack = th.Ack;
    }
}
