using System.Buffers;
using System.Text;

namespace Forge.Tunnel.Tests.Http;

/// <summary>A segment of a hand-built multi-segment <see cref="ReadOnlySequence{T}"/>.</summary>
internal sealed class TestSegment : ReadOnlySequenceSegment<byte>
{
    public TestSegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public TestSegment Append(ReadOnlyMemory<byte> memory)
    {
        var next = new TestSegment(memory, RunningIndex + Memory.Length);
        Next = next;
        return next;
    }
}

/// <summary>Builds byte sequences split in the ways the parsers must cope with.</summary>
internal static class Sequences
{
    public static byte[] Latin1(string s) => Encoding.Latin1.GetBytes(s);

    public static string Text(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    /// <summary>A sequence made of the given pieces, one segment each (empty pieces included).</summary>
    public static ReadOnlySequence<byte> FromPieces(params ReadOnlyMemory<byte>[] pieces)
    {
        if (pieces.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new TestSegment(pieces[0], 0);
        var last = first;
        for (var i = 1; i < pieces.Length; i++)
        {
            last = last.Append(pieces[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>The bytes cut at the given offsets (ascending), each piece copied into its own array.</summary>
    public static ReadOnlySequence<byte> Split(byte[] data, params int[] cuts)
    {
        var pieces = new List<ReadOnlyMemory<byte>>();
        var start = 0;
        foreach (var cut in cuts)
        {
            pieces.Add(data.AsSpan(start, cut - start).ToArray());
            start = cut;
        }

        pieces.Add(data.AsSpan(start).ToArray());
        return FromPieces([.. pieces]);
    }

    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] data)
    {
        if (data.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var pieces = new ReadOnlyMemory<byte>[data.Length];
        for (var i = 0; i < data.Length; i++)
        {
            pieces[i] = new[] { data[i] };
        }

        return FromPieces(pieces);
    }

    /// <summary>Every way of presenting the bytes: whole, every two-piece split, one byte per segment.</summary>
    public static IEnumerable<(string Name, ReadOnlySequence<byte> Sequence)> AllSplits(byte[] data)
    {
        yield return ("whole", new ReadOnlySequence<byte>(data));
        for (var cut = 0; cut <= data.Length; cut++)
        {
            yield return ($"cut at {cut}", Split(data, cut));
        }

        yield return ("one byte per segment", OneBytePerSegment(data));
    }

    public static long Offset(in ReadOnlySequence<byte> buffer, SequencePosition position) =>
        buffer.Slice(buffer.Start, position).Length;
}
