using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using Forge.Tunnel.Http;
using static Forge.Tunnel.Tests.Http.Sequences;

namespace Forge.Tunnel.Tests.Http;

public class Http1RelayTests
{
    private static readonly TimeSpan s_guard = TimeSpan.FromSeconds(30);

    private const string PostRequest =
        "POST /api/items HTTP/1.1\r\nHost: app.test\r\nContent-Length: 11\r\n\r\nhello world";

    private const string ChunkedRequest =
        "PUT /upload HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "5;ext=1\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n";

    private const string GetRequest = "GET /done HTTP/1.1\nHost: app.test\n\n";

    private const string Expected =
        "POST /api/items HTTP/1.1\r\nHost: app.test\r\nContent-Length: 11\r\nX-Forwarded-For: 203.0.113.7\r\n\r\nhello world"
        + "PUT /upload HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\nX-Forwarded-For: 203.0.113.7\r\n\r\n"
        + "5;ext=1\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n"
        + "GET /done HTTP/1.1\r\nHost: app.test\r\nX-Forwarded-For: 203.0.113.7\r\n\r\n";

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(100_000)]
    public async Task Pipelined_requests_are_rewritten_and_their_bodies_forwarded_unchanged(int pieceSize)
    {
        var seen = new List<string>();
        var (outcome, output) = await RelayRequestsAsync(
            Latin1(PostRequest + ChunkedRequest + GetRequest),
            pieceSize,
            head =>
            {
                seen.Add(head.Method + " " + head.Target);
                head.Headers.Add("X-Forwarded-For", "203.0.113.7");
                return RequestDecision.Continue;
            });

        Assert.Equal(RelayOutcomeKind.SourceEnded, outcome.Kind);
        Assert.False(outcome.IsError);
        Assert.Equal(3, outcome.Messages);
        Assert.Equal(["POST /api/items", "PUT /upload", "GET /done"], seen);
        Assert.Equal(Expected, Text(output));
    }

    [Fact]
    public async Task An_upgrade_request_stops_the_loop_and_leaves_the_raw_bytes_in_the_reader()
    {
        var head = "GET /socket HTTP/1.1\r\nHost: app.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
        var raw = "\u0081\u0085frame-bytes GET / HTTP/1.1\r\n";
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Latin1(head + raw));

        using var output = new RecordingStream();
        var outcome = await Http1Relay.RelayRequestsAsync(pipe.Reader, output, _ => RequestDecision.Continue, HttpLimits.Default, CancellationToken.None)
            .WaitAsync(s_guard);

        Assert.Equal(RelayOutcomeKind.Upgraded, outcome.Kind);
        Assert.Equal(1, outcome.Messages);
        Assert.Equal(head, Text(output.ToArray()));
        Assert.True(pipe.Reader.TryRead(out var rest));
        Assert.Equal(raw, Text(rest.Buffer.ToArray()));
        pipe.Reader.AdvanceTo(rest.Buffer.End);
    }

    [Fact]
    public async Task CONNECT_stops_the_loop_after_its_head()
    {
        var head = "CONNECT db.internal:5432 HTTP/1.1\r\nHost: db.internal:5432\r\n\r\n";
        var reader = PipeReader.Create(new ReadOnlySequence<byte>(Latin1(head + "\u0000raw")));
        using var output = new RecordingStream();
        var outcome = await Http1Relay.RelayRequestsAsync(reader, output, _ => RequestDecision.Continue, HttpLimits.Default, CancellationToken.None);
        Assert.Equal(RelayOutcomeKind.Upgraded, outcome.Kind);
        Assert.Equal(head, Text(output.ToArray()));
        var rest = await reader.ReadAsync();
        Assert.Equal("\u0000raw", Text(rest.Buffer.ToArray()));
    }

    [Fact]
    public async Task A_rejected_request_forwards_nothing_of_it()
    {
        var (outcome, output) = await RelayRequestsAsync(
            Latin1(GetRequest + "GET /forbidden HTTP/1.1\r\nHost: other.test\r\n\r\n"),
            100,
            head => head.Target == "/forbidden" ? RequestDecision.Reject(403, "tunnel not found for other.test") : RequestDecision.Continue);

        Assert.Equal(RelayOutcomeKind.Rejected, outcome.Kind);
        Assert.Equal(403, outcome.StatusCode);
        Assert.Equal("tunnel not found for other.test", outcome.Reason);
        Assert.Equal(1, outcome.Messages);
        Assert.Equal("GET /done HTTP/1.1\r\nHost: app.test\r\n\r\n", Text(output));
    }

    [Theory]
    [InlineData("", "SourceEnded", 0, false)]
    [InlineData("\r\n", "SourceEnded", 0, false)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\r\n\r\n", "SourceEnded", 0, false)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n", "Malformed", 400, false)]
    [InlineData("GET / HTTP/1.1\r\nHost : a\r\n\r\n", "Malformed", 400, false)]
    [InlineData("GET / HTTP/1.1\r\n\r\n", "Malformed", 400, false)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", "Malformed", 400, false)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nshort", "Malformed", 400, true)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello", "Malformed", 400, true)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX", "Malformed", 400, true)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "Malformed", 400, true)]
    public async Task Request_loop_endings_carry_their_status(string input, string kind, int status, bool insideMessage)
    {
        var (outcome, _) = await RelayRequestsAsync(Latin1(input), 3, _ => RequestDecision.Continue);
        Assert.Equal(Enum.Parse<RelayOutcomeKind>(kind), outcome.Kind);
        Assert.Equal(status, outcome.StatusCode);
        Assert.Equal(insideMessage, outcome.InsideMessage);
        Assert.False(string.IsNullOrEmpty(outcome.Reason));
    }

    [Fact]
    public async Task Oversized_heads_and_request_lines_map_to_431_and_414()
    {
        var big = await RelayRequestsAsync(Latin1("GET / HTTP/1.1\r\nHost: a\r\nX: " + new string('x', 40_000)), 4096, _ => RequestDecision.Continue);
        Assert.Equal(RelayOutcomeKind.HeadTooLarge, big.Outcome.Kind);
        Assert.Equal(431, big.Outcome.StatusCode);

        var fields = await RelayRequestsAsync(Latin1("GET / HTTP/1.1\r\n" + string.Concat(Enumerable.Repeat("X: y\r\n", 200))), 4096, _ => RequestDecision.Continue);
        Assert.Equal(RelayOutcomeKind.HeadTooLarge, fields.Outcome.Kind);

        var line = await RelayRequestsAsync(Latin1("GET /" + new string('u', 10_000)), 4096, _ => RequestDecision.Continue);
        Assert.Equal(RelayOutcomeKind.UriTooLong, line.Outcome.Kind);
        Assert.Equal(414, line.Outcome.StatusCode);
        Assert.Empty(line.Output);
    }

    [Fact]
    public async Task A_head_that_never_completes_times_out()
    {
        var limits = HttpLimits.Default with { HeadTimeout = TimeSpan.FromMilliseconds(200), IdleTimeout = TimeSpan.FromHours(1) };
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Latin1("GET / HTTP/1.1\r\nHo"));
        var clock = Stopwatch.StartNew();
        var outcome = await Http1Relay.RelayRequestsAsync(pipe.Reader, Stream.Null, _ => RequestDecision.Continue, limits, CancellationToken.None)
            .WaitAsync(s_guard);
        Assert.Equal(RelayOutcomeKind.Timeout, outcome.Kind);
        Assert.Equal(408, outcome.StatusCode);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(150), clock.Elapsed.ToString());
    }

    [Fact]
    public async Task A_silent_new_connection_gets_the_head_timeout_not_the_idle_timeout()
    {
        var limits = HttpLimits.Default with { HeadTimeout = TimeSpan.FromMilliseconds(200), IdleTimeout = TimeSpan.FromHours(1) };
        var pipe = new Pipe();
        var outcome = await Http1Relay.RelayRequestsAsync(pipe.Reader, Stream.Null, _ => RequestDecision.Continue, limits, CancellationToken.None)
            .WaitAsync(s_guard);
        Assert.Equal(RelayOutcomeKind.Timeout, outcome.Kind);
        Assert.Equal(0, outcome.Messages);
    }

    [Fact]
    public async Task An_idle_keep_alive_connection_times_out_after_the_idle_timeout()
    {
        var limits = HttpLimits.Default with { HeadTimeout = TimeSpan.FromHours(1), IdleTimeout = TimeSpan.FromMilliseconds(200) };
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Latin1(GetRequest));
        using var output = new RecordingStream();
        var outcome = await Http1Relay.RelayRequestsAsync(pipe.Reader, output, _ => RequestDecision.Continue, limits, CancellationToken.None)
            .WaitAsync(s_guard);
        Assert.Equal(RelayOutcomeKind.Timeout, outcome.Kind);
        Assert.Equal(1, outcome.Messages);
        Assert.False(outcome.InsideMessage);
        Assert.Equal("GET /done HTTP/1.1\r\nHost: app.test\r\n\r\n", Text(output.ToArray()));
    }

    [Fact]
    public async Task A_second_head_started_but_not_finished_gets_the_head_timeout()
    {
        var limits = HttpLimits.Default with { HeadTimeout = TimeSpan.FromMilliseconds(200), IdleTimeout = TimeSpan.FromHours(1) };
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Latin1(GetRequest + "GET /slow HTTP/1.1\r\n"));
        var outcome = await Http1Relay.RelayRequestsAsync(pipe.Reader, Stream.Null, _ => RequestDecision.Continue, limits, CancellationToken.None)
            .WaitAsync(s_guard);
        Assert.Equal(RelayOutcomeKind.Timeout, outcome.Kind);
        Assert.Equal(1, outcome.Messages);
    }

    [Fact]
    public async Task A_stalled_body_times_out_inside_the_message()
    {
        var limits = HttpLimits.Default with { IdleTimeout = TimeSpan.FromMilliseconds(200) };
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Latin1("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nonly ten.."));
        using var output = new RecordingStream();
        var outcome = await Http1Relay.RelayRequestsAsync(pipe.Reader, output, _ => RequestDecision.Continue, limits, CancellationToken.None)
            .WaitAsync(s_guard);
        Assert.Equal(RelayOutcomeKind.Timeout, outcome.Kind);
        Assert.True(outcome.InsideMessage);
        Assert.EndsWith("only ten..", Text(output.ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_slow_destination_is_not_taken_for_a_slow_client()
    {
        // The destination holds the first write for longer than both timeouts; the relay must not
        // count that time against the client.
        var limits = HttpLimits.Default with { HeadTimeout = TimeSpan.FromMilliseconds(100), IdleTimeout = TimeSpan.FromMilliseconds(100) };
        using var release = new CancellationTokenSource(TimeSpan.FromMilliseconds(400));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = release.Token.Register(gate.SetResult);
        using var output = new RecordingStream { Gate = gate.Task };
        var reader = PipeReader.Create(new ReadOnlySequence<byte>(Latin1(PostRequest + GetRequest)));
        var outcome = await Http1Relay.RelayRequestsAsync(reader, output, _ => RequestDecision.Continue, limits, CancellationToken.None)
            .WaitAsync(s_guard);
        Assert.Equal(RelayOutcomeKind.SourceEnded, outcome.Kind);
        Assert.Equal(2, outcome.Messages);
    }

    [Fact]
    public async Task The_head_is_flushed_before_the_relay_waits_for_the_body()
    {
        // Expect: 100-continue clients send the body only after the server answered; the head must not sit in a buffer.
        var head = "POST /big HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n";
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Latin1(head));
        using var output = new RecordingStream();
        var headFlushed = output.WhenFlushed(head.Length);
        var relay = Http1Relay.RelayRequestsAsync(pipe.Reader, output, _ => RequestDecision.Continue, HttpLimits.Default, CancellationToken.None);

        await headFlushed.WaitAsync(s_guard);
        Assert.False(relay.IsCompleted);
        await pipe.Writer.WriteAsync(Latin1("body"));
        await pipe.Writer.CompleteAsync();
        var outcome = await relay.WaitAsync(s_guard);

        Assert.Equal(RelayOutcomeKind.SourceEnded, outcome.Kind);
        Assert.Equal(head + "body", Text(output.ToArray()));
    }

    [Fact]
    public async Task A_first_head_parsed_by_the_caller_is_relayed_first()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Latin1(PostRequest + GetRequest));
        await pipe.Writer.CompleteAsync();

        var read = await pipe.Reader.ReadAsync();
        Assert.Equal(HttpParseStatus.Complete, HttpParser.TryParseRequestHead(read.Buffer, HttpLimits.Default, out var first, out var consumed));
        pipe.Reader.AdvanceTo(consumed);
        first!.Headers.Set("Host", "localhost:3000");

        using var output = new RecordingStream();
        var outcome = await Http1Relay.RelayRequestsAsync(pipe.Reader, output, _ => RequestDecision.Continue, HttpLimits.Default, CancellationToken.None, first)
            .WaitAsync(s_guard);
        Assert.Equal(RelayOutcomeKind.SourceEnded, outcome.Kind);
        Assert.Equal(2, outcome.Messages);
        Assert.Equal(
            "POST /api/items HTTP/1.1\r\nHost: localhost:3000\r\nContent-Length: 11\r\n\r\nhello worldGET /done HTTP/1.1\r\nHost: app.test\r\n\r\n",
            Text(output.ToArray()));
    }

    [Fact]
    public async Task A_failing_destination_ends_the_loop()
    {
        using var output = new RecordingStream { FailWrites = true };
        var reader = PipeReader.Create(new ReadOnlySequence<byte>(Latin1(PostRequest)));
        var outcome = await Http1Relay.RelayRequestsAsync(reader, output, _ => RequestDecision.Continue, HttpLimits.Default, CancellationToken.None);
        Assert.Equal(RelayOutcomeKind.DestinationFailed, outcome.Kind);
        Assert.Equal(502, outcome.StatusCode);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_throws()
    {
        using var cts = new CancellationTokenSource();
        var pipe = new Pipe();
        var relay = Http1Relay.RelayRequestsAsync(pipe.Reader, Stream.Null, _ => RequestDecision.Continue, HttpLimits.Default, cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => relay.WaitAsync(s_guard));
    }

    private const string Responses =
        "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"                      // HEAD: no body
        + "HTTP/1.1 204 No Content\r\nDate: today\r\n\r\n"
        + "HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n"
        + "HTTP/1.1 100 Continue\r\n\r\n"                                      // interim for the POST
        + "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
        + "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"
        + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nchun\r\n3;x=y\r\nked\r\n0\r\nX-Sum: 1\r\n\r\n"
        + "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found"
        + "HTTP/1.0 200 OK\r\nServer: old\r\n\r\nstreamed until close, HTTP/1.1 200 OK\r\n\r\n is body too";

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(100_000)]
    public async Task Responses_are_framed_by_method_and_status(int pieceSize)
    {
        var methods = new Queue<string?>(["HEAD", "GET", "GET", "POST", "GET", null, "GET"]);
        var statuses = new List<int>();
        var pipe = new Pipe();
        var feeding = PipeFeeding.FeedAsync(pipe.Writer, Latin1(Responses), pieceSize);
        using var output = new RecordingStream();
        var outcome = await Http1Relay.RelayResponsesAsync(pipe.Reader, output, methods.Dequeue, r => statuses.Add(r.StatusCode), HttpLimits.Default, CancellationToken.None)
            .WaitAsync(s_guard);
        await feeding;

        Assert.Equal(RelayOutcomeKind.SourceEnded, outcome.Kind);
        Assert.Equal(9, outcome.Messages);
        Assert.Empty(methods);
        Assert.Equal([200, 204, 304, 201, 200, 404, 200], statuses);
        Assert.Equal(Responses, Text(output.ToArray()));
    }

    [Fact]
    public async Task Switching_protocols_leaves_the_raw_bytes_in_the_reader()
    {
        var head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
        var reader = PipeReader.Create(new ReadOnlySequence<byte>(Latin1("HTTP/1.1 100 Continue\r\n\r\n" + head + "\u0081\u0002hi")));
        using var output = new RecordingStream();
        var asked = 0;
        var outcome = await Http1Relay.RelayResponsesAsync(reader, output, () => { asked++; return "GET"; }, _ => { }, HttpLimits.Default, CancellationToken.None);
        Assert.Equal(RelayOutcomeKind.Upgraded, outcome.Kind);
        Assert.Equal(1, asked);
        Assert.Equal("HTTP/1.1 100 Continue\r\n\r\n" + head, Text(output.ToArray()));
        var rest = await reader.ReadAsync();
        Assert.Equal("\u0081\u0002hi", Text(rest.Buffer.ToArray()));
    }

    [Fact]
    public async Task A_2xx_to_CONNECT_is_a_tunnel_and_a_407_is_not()
    {
        var refused = "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n";
        var accepted = "HTTP/1.1 200 Connection Established\r\n\r\n";
        var reader = PipeReader.Create(new ReadOnlySequence<byte>(Latin1(refused + accepted + "tunnel")));
        using var output = new RecordingStream();
        var outcome = await Http1Relay.RelayResponsesAsync(reader, output, () => "CONNECT", _ => { }, HttpLimits.Default, CancellationToken.None);
        Assert.Equal(RelayOutcomeKind.Upgraded, outcome.Kind);
        Assert.Equal(2, outcome.Messages);
        Assert.Equal(refused + accepted, Text(output.ToArray()));
    }

    [Fact]
    public async Task Content_Length_is_removed_when_Transfer_Encoding_frames_a_response()
    {
        var reader = PipeReader.Create(new ReadOnlySequence<byte>(Latin1(
            "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")));
        using var output = new RecordingStream();
        var outcome = await Http1Relay.RelayResponsesAsync(reader, output, () => "GET", _ => { }, HttpLimits.Default, CancellationToken.None);
        Assert.Equal(RelayOutcomeKind.SourceEnded, outcome.Kind);
        Assert.Equal("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", Text(output.ToArray()));
    }

    [Fact]
    public async Task On_response_may_rewrite_the_head()
    {
        var reader = PipeReader.Create(new ReadOnlySequence<byte>(Latin1("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")));
        using var output = new RecordingStream();
        await Http1Relay.RelayResponsesAsync(reader, output, () => "GET", r => r.Headers.Add("Via", "1.1 forge"), HttpLimits.Default, CancellationToken.None);
        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nVia: 1.1 forge\r\n\r\n", Text(output.ToArray()));
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n", false)]
    [InlineData("HTTP/1.1 2000 OK\r\n\r\n", false)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", true)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX", true)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n", false)]
    public async Task Bad_responses_end_with_502(string input, bool insideMessage)
    {
        var reader = PipeReader.Create(new ReadOnlySequence<byte>(Latin1(input)));
        var outcome = await Http1Relay.RelayResponsesAsync(reader, Stream.Null, () => "GET", _ => { }, HttpLimits.Default, CancellationToken.None);
        Assert.Equal(RelayOutcomeKind.Malformed, outcome.Kind);
        Assert.Equal(502, outcome.StatusCode);
        Assert.Equal(insideMessage, outcome.InsideMessage);
    }

    [Fact]
    public async Task An_oversized_response_head_is_malformed()
    {
        var pipe = new Pipe();
        var feeding = PipeFeeding.FeedAsync(pipe.Writer, Latin1("HTTP/1.1 200 OK\r\nX: " + new string('x', 40_000)), 4096, complete: false);
        var outcome = await Http1Relay.RelayResponsesAsync(pipe.Reader, Stream.Null, () => "GET", _ => { }, HttpLimits.Default, CancellationToken.None)
            .WaitAsync(s_guard);
        await pipe.Reader.CompleteAsync();
        await feeding.WaitAsync(s_guard);
        Assert.Equal(RelayOutcomeKind.Malformed, outcome.Kind);
        Assert.Equal(502, outcome.StatusCode);
    }

    private static async Task<(RelayOutcome Outcome, byte[] Output)> RelayRequestsAsync(
        byte[] input, int pieceSize, Func<HttpRequestHead, RequestDecision> onRequest, HttpLimits? limits = null)
    {
        var pipe = new Pipe();
        var feeding = PipeFeeding.FeedAsync(pipe.Writer, input, pieceSize);
        using var output = new RecordingStream();
        var outcome = await Http1Relay.RelayRequestsAsync(pipe.Reader, output, onRequest, limits ?? HttpLimits.Default, CancellationToken.None)
            .WaitAsync(s_guard);
        await pipe.Reader.CompleteAsync();
        await feeding.WaitAsync(s_guard);
        return (outcome, output.ToArray());
    }
}
