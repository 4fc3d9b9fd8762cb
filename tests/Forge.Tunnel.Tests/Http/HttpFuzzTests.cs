using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using Forge.Tunnel.Http;
using static Forge.Tunnel.Tests.Http.Sequences;

namespace Forge.Tunnel.Tests.Http;

/// <summary>
/// Random bytes and random mutations of valid messages, with a fixed seed for a bounded time: the
/// parsers, the chunked scanner and both relay loops must answer with a status or an outcome (never
/// throw, never hang), and must answer the same however the input is split into segments.
/// </summary>
public class HttpFuzzTests
{
    private static readonly TimeSpan s_budget = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan s_hang = TimeSpan.FromSeconds(20);

    private static readonly byte[][] s_seeds =
    [
        Latin1("GET /a?b=c HTTP/1.1\r\nHost: app.test\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n"),
        Latin1("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\nHost: a\r\n\r\n"),
        Latin1("PUT /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n0\r\nT: v\r\n\r\n"),
        Latin1("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\u0081\u0001x"),
        Latin1("\r\nGET / HTTP/1.0\nX: y\n\n"),
        Latin1("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 204 No Content\r\n\r\n"),
        Latin1("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
        Latin1("HTTP/1.0 200 OK\r\n\r\nuntil close"),
        Latin1("1a;e=v\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX: y\r\n\r\n"),
    ];

    private static readonly byte[] s_interesting = Latin1("\r\n \t:;,=0123456789abcdefABCDEF\0\u007f\u0080\u00ff-+HTTP/1.");

    private static readonly string?[] s_methods = ["GET", "HEAD", "POST", "CONNECT", null];

    [Fact]
    public async Task Random_and_mutated_input_always_gets_an_answer()
    {
        var random = new Random(20251125);
        var limits = HttpLimits.Default with { MaxHeadBytes = 2048, MaxRequestLineBytes = 512, MaxHeaderCount = 20, HeadTimeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        var iterations = 0;
        var completes = 0;
        while (clock.Elapsed < s_budget)
        {
            var input = random.Next(5) == 0 ? RandomBytes(random) : Mutate(random);
            var context = Convert.ToBase64String(input);
            try
            {
                completes += CheckParsers(input, random, limits) ? 1 : 0;
                CheckScanner(input, random);
                if (iterations % 4 == 0)
                {
                    await CheckRelaysAsync(input, random, limits);
                }
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"input (base64) {context}: {ex}");
            }

            iterations++;
        }

        Assert.True(iterations > 200, $"only {iterations} iterations");
        Assert.True(completes > 10, $"only {completes} mutated heads parsed; the mutations are too destructive to be useful");
    }

    private static bool CheckParsers(byte[] input, Random random, HttpLimits limits)
    {
        var whole = new ReadOnlySequence<byte>(input);
        var split = RandomSplit(input, random);

        var status = HttpParser.TryParseRequestHead(whole, limits, out var head, out var consumed);
        var splitStatus = HttpParser.TryParseRequestHead(split, limits, out var splitHead, out var splitConsumed);
        Assert.Equal(status, splitStatus);
        Assert.Equal(Offset(whole, consumed), Offset(split, splitConsumed));
        if (status == HttpParseStatus.Complete)
        {
            Assert.Equal(head!.ToString(), splitHead!.ToString());

            // What the relay writes parses back to the same head.
            var again = Latin1(head.ToString());
            Assert.Equal(HttpParseStatus.Complete, HttpParser.TryParseRequestHead(new ReadOnlySequence<byte>(again), HttpLimits.Default, out var reparsed, out _));
            Assert.Equal(head.ToString(), reparsed!.ToString());
            Assert.Equal(head.BodyKind, reparsed.BodyKind);
        }
        else
        {
            Assert.Equal(0, Offset(whole, consumed));
        }

        var responseStatus = HttpParser.TryParseResponseHead(whole, limits, out var response, out consumed);
        Assert.Equal(responseStatus, HttpParser.TryParseResponseHead(split, limits, out var splitResponse, out splitConsumed));
        Assert.Equal(Offset(whole, consumed), Offset(split, splitConsumed));
        if (responseStatus == HttpParseStatus.Complete)
        {
            Assert.Equal(response!.ToString(), splitResponse!.ToString());
            foreach (var method in s_methods)
            {
                response.TryGetBodyFraming(method, out _, out _);
            }
        }

        return status == HttpParseStatus.Complete || responseStatus == HttpParseStatus.Complete;
    }

    private static void CheckScanner(byte[] input, Random random)
    {
        var whole = new ChunkedBodyScanner();
        var status = whole.Scan(input, out var consumed);
        var pieces = new ChunkedBodyScanner();
        var pieceStatus = pieces.Scan(RandomSplit(input, random), out long pieceConsumed);
        Assert.Equal(status, pieceStatus);
        Assert.Equal(consumed, pieceConsumed);
    }

    private static async Task CheckRelaysAsync(byte[] input, Random random, HttpLimits limits)
    {
        var pipe = new Pipe();
        var feeding = PipeFeeding.FeedAsync(pipe.Writer, input, random.Next(1, 64));
        var outcome = await Http1Relay.RelayRequestsAsync(
            pipe.Reader,
            Stream.Null,
            head =>
            {
                head.Headers.Add("X-Forwarded-For", "192.0.2.1");
                return head.Target.Length > 20 ? RequestDecision.Reject(404, "no tunnel") : RequestDecision.Continue;
            },
            limits,
            CancellationToken.None).WaitAsync(s_hang);
        await pipe.Reader.CompleteAsync();
        await feeding.WaitAsync(s_hang);
        Assert.True(Enum.IsDefined(outcome.Kind));
        Assert.True(!outcome.IsError || outcome.StatusCode is >= 400 and < 600);

        var methodIndex = random.Next(s_methods.Length);
        var responses = await Http1Relay.RelayResponsesAsync(
            PipeReader.Create(RandomSplit(input, random)),
            Stream.Null,
            () => s_methods[methodIndex],
            _ => { },
            limits,
            CancellationToken.None).WaitAsync(s_hang);
        Assert.True(Enum.IsDefined(responses.Kind));
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 300)];
        if (random.Next(2) == 0)
        {
            random.NextBytes(bytes);
        }
        else
        {
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] = s_interesting[random.Next(s_interesting.Length)];
            }
        }

        return bytes;
    }

    private static byte[] Mutate(Random random)
    {
        var data = new List<byte>(s_seeds[random.Next(s_seeds.Length)]);
        var mutations = random.Next(1, 4);
        for (var m = 0; m < mutations; m++)
        {
            var at = random.Next(data.Count + 1);
            switch (random.Next(7))
            {
                case 0 when data.Count > 0:
                    data[Math.Min(at, data.Count - 1)] = (byte)random.Next(256);
                    break;
                case 1:
                    data.Insert(at, s_interesting[random.Next(s_interesting.Length)]);
                    break;
                case 2 when data.Count > 0:
                    data.RemoveRange(Math.Min(at, data.Count - 1), Math.Min(random.Next(1, 8), data.Count - Math.Min(at, data.Count - 1)));
                    break;
                case 3 when at < data.Count:
                    var length = Math.Min(random.Next(1, 30), data.Count - at);
                    data.InsertRange(random.Next(data.Count + 1), data.GetRange(at, length));
                    break;
                case 4:
                    data.RemoveRange(at, data.Count - at);
                    break;
                case 5:
                    data.AddRange(s_seeds[random.Next(s_seeds.Length)]);
                    break;
                default:
                    data.InsertRange(at, Latin1(random.Next(3) switch
                    {
                        0 => "Content-Length: " + random.Next(-5, 50) + "\r\n",
                        1 => "Transfer-Encoding: chunked\r\n",
                        _ => new string('A', random.Next(1, 3000)),
                    }));
                    break;
            }
        }

        return [.. data];
    }

    private static ReadOnlySequence<byte> RandomSplit(byte[] input, Random random)
    {
        var cuts = new SortedSet<int>();
        var count = random.Next(0, Math.Min(8, input.Length + 1));
        for (var i = 0; i < count; i++)
        {
            cuts.Add(random.Next(input.Length + 1));
        }

        return Split(input, [.. cuts]);
    }
}
