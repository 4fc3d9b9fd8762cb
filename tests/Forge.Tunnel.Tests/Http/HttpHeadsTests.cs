using System.Buffers;
using Forge.Tunnel.Http;
using static Forge.Tunnel.Tests.Http.Sequences;

namespace Forge.Tunnel.Tests.Http;

public class HttpHeadsTests
{
    [Fact]
    public void Headers_keep_order_and_case_and_look_up_case_insensitively()
    {
        var headers = new HttpHeaders();
        headers.Add("Host", "a.test");
        headers.Add("X-Tag", "one");
        headers.Add("Accept", "*/*");
        headers.Add("x-tag", "two");

        Assert.Equal("a.test", headers.Get("HOST"));
        Assert.Equal("one", headers.Get("X-TAG"));
        Assert.Null(headers.Get("Missing"));
        Assert.Equal(["one", "two"], headers.GetAll("x-Tag"));
        Assert.Empty(headers.GetAll("missing"));
        Assert.True(headers.Contains("accept"));
        Assert.Equal(2, headers.CountOf("X-Tag"));

        headers.Set("X-TAG", "only");
        Assert.Equal([new HttpHeader("Host", "a.test"), new HttpHeader("X-Tag", "only"), new HttpHeader("Accept", "*/*")], headers);

        headers.Set("X-New", "appended");
        Assert.Equal(new HttpHeader("X-New", "appended"), headers[^1]);

        Assert.True(headers.Remove("x-tag"));
        Assert.False(headers.Remove("x-tag"));
        Assert.Equal(["Host", "Accept", "X-New"], headers.Select(h => h.Name));
    }

    [Theory]
    [InlineData("keep-alive, Upgrade", "upgrade", true)]
    [InlineData("keep-alive,upgrade", "UPGRADE", true)]
    [InlineData(" Upgrade ", "upgrade", true)]
    [InlineData("keep-alive", "upgrade", false)]
    [InlineData("upgraded", "upgrade", false)]
    [InlineData("", "upgrade", false)]
    public void ContainsToken_reads_comma_separated_lists(string value, string token, bool expected)
    {
        var headers = new HttpHeaders();
        headers.Add("Connection", "close");
        headers.Add("connection", value);
        Assert.Equal(expected, headers.ContainsToken("CONNECTION", token));
    }

    [Theory]
    [InlineData("X-A", "a\r\nInjected: yes")]
    [InlineData("X-A", "a\nb")]
    [InlineData("X-A", "nul\0")]
    [InlineData("X-A", "\u0100wide")]
    [InlineData("X A", "v")]
    [InlineData("X-A:", "v")]
    [InlineData("", "v")]
    public void Headers_refuse_what_cannot_go_on_the_wire(string name, string value)
    {
        var headers = new HttpHeaders();
        Assert.Throws<ArgumentException>(() => headers.Add(name, value));
        Assert.Throws<ArgumentException>(() => headers.Set(name, value));
        Assert.Empty(headers);
    }

    [Fact]
    public void Request_head_serialises_exactly_after_rewriting()
    {
        var raw = "POST /submit?x=1 HTTP/1.1\nhost: public.example\nContent-Length: 3\nX-Forwarded-For: 10.0.0.1\n\n";
        Assert.Equal(HttpParseStatus.Complete, HttpParser.TryParseRequestHead(new ReadOnlySequence<byte>(Latin1(raw)), HttpLimits.Default, out var head, out _));
        head!.Headers.Set("Host", "localhost:3000");
        head.Headers.Set("X-Forwarded-For", "10.0.0.1, 203.0.113.9");
        head.Headers.Add("X-Forwarded-Proto", "https");
        head.Target = "/rewritten";

        var writer = new ArrayBufferWriter<byte>();
        head.WriteTo(writer);
        Assert.Equal(
            "POST /rewritten HTTP/1.1\r\nhost: localhost:3000\r\nContent-Length: 3\r\nX-Forwarded-For: 10.0.0.1, 203.0.113.9\r\nX-Forwarded-Proto: https\r\n\r\n",
            Text(writer.WrittenSpan));
        Assert.Throws<ArgumentException>(() => head.Target = "/a b");
    }

    [Fact]
    public void Response_head_serialises_exactly()
    {
        var headers = new HttpHeaders();
        headers.Add("Content-Length", "0");
        var writer = new ArrayBufferWriter<byte>();
        new HttpResponseHead("HTTP/1.1", 204, "", headers).WriteTo(writer);
        Assert.Equal("HTTP/1.1 204 \r\nContent-Length: 0\r\n\r\n", Text(writer.WrittenSpan));

        writer.ResetWrittenCount();
        new HttpResponseHead("HTTP/1.0", 404, "Not Found", new HttpHeaders()).WriteTo(writer);
        Assert.Equal("HTTP/1.0 404 Not Found\r\n\r\n", Text(writer.WrittenSpan));
    }

    [Theory]
    [InlineData("GET", 200, "Content-Length: 12", "ContentLength", 12)]
    [InlineData("HEAD", 200, "Content-Length: 12", "None", 0)]
    [InlineData("head", 200, "Transfer-Encoding: chunked", "None", 0)]
    [InlineData("GET", 100, "", "None", 0)]
    [InlineData("GET", 103, "Link: </a.css>", "None", 0)]
    [InlineData("GET", 101, "Upgrade: websocket", "None", 0)]
    [InlineData("GET", 204, "Content-Length: 12", "None", 0)]
    [InlineData("GET", 304, "Content-Length: 12", "None", 0)]
    [InlineData("CONNECT", 200, "Content-Length: 12", "None", 0)]
    [InlineData("CONNECT", 407, "Content-Length: 12", "ContentLength", 12)]
    [InlineData("GET", 200, "Transfer-Encoding: chunked", "Chunked", 0)]
    [InlineData("GET", 200, "Transfer-Encoding: gzip, chunked", "Chunked", 0)]
    [InlineData("GET", 200, "Transfer-Encoding: chunked|Content-Length: 12", "Chunked", 0)]
    [InlineData("GET", 200, "Transfer-Encoding: gzip", "UntilClose", 0)]
    [InlineData("GET", 200, "", "UntilClose", 0)]
    [InlineData("GET", 500, "Content-Length: 0", "ContentLength", 0)]
    public void Response_framing_follows_RFC_9112_section_6_3(string method, int status, string fields, string kind, long length)
    {
        var response = Response("HTTP/1.1", status, fields);
        Assert.True(response.TryGetBodyFraming(method, out var framing, out var error), error);
        Assert.Equal(Enum.Parse<BodyKind>(kind), framing.Kind);
        Assert.Equal(length, framing.ContentLength);
    }

    [Fact]
    public void Response_framing_edge_cases()
    {
        Assert.True(Response("HTTP/1.0", 200, "Transfer-Encoding: chunked").TryGetBodyFraming("GET", out var framing, out _));
        Assert.Equal(BodyKind.UntilClose, framing.Kind);

        Assert.True(Response("HTTP/1.1", 200, "").TryGetBodyFraming(null, out framing, out _));
        Assert.Equal(BodyKind.UntilClose, framing.Kind);

        Assert.False(Response("HTTP/1.1", 200, "Content-Length: 1|Content-Length: 2").TryGetBodyFraming("GET", out _, out var error));
        Assert.NotNull(error);
        Assert.False(Response("HTTP/1.1", 200, "Content-Length: x").TryGetBodyFraming("GET", out _, out _));

        Assert.True(Response("HTTP/1.1", 101, "").StartsTunnel("GET"));
        Assert.True(Response("HTTP/1.1", 200, "").StartsTunnel("CONNECT"));
        Assert.False(Response("HTTP/1.1", 200, "").StartsTunnel("GET"));
        Assert.False(Response("HTTP/1.1", 407, "").StartsTunnel("CONNECT"));
        Assert.True(Response("HTTP/1.1", 100, "").IsInterim);
        Assert.False(Response("HTTP/1.1", 101, "").IsInterim);
    }

    [Fact]
    public void Request_framing_refuses_smuggling_shapes_on_hand_built_heads()
    {
        var headers = new HttpHeaders();
        headers.Add("Host", "a");
        headers.Add("Content-Length", "5");
        var head = new HttpRequestHead("POST", "/", "HTTP/1.1", headers);
        Assert.Equal(BodyKind.ContentLength, head.BodyKind);

        headers.Add("Transfer-Encoding", "chunked");
        Assert.False(head.TryGetBodyFraming(out _, out var error));
        Assert.Contains("Content-Length", error, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => head.BodyKind);
    }

    [Fact]
    public void Error_response_is_complete_and_closes()
    {
        using var stream = new MemoryStream();
        Http1Relay.WriteErrorResponse(stream, 431, "Request Header Fields Too Large", "header section too large\n");
        Assert.Equal(
            "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 25\r\nConnection: close\r\n\r\nheader section too large\n",
            Text(stream.ToArray()));

        // A reason that would break the status line is replaced by the standard one; the body is UTF-8.
        var bytes = Http1Relay.FormatErrorResponse(502, "bad\r\nX-Injected: 1", "caf\u00e9");
        var parsed = HttpParser.TryParseResponseHead(new ReadOnlySequence<byte>(bytes), HttpLimits.Default, out var response, out var consumed);
        Assert.Equal(HttpParseStatus.Complete, parsed);
        Assert.Equal("Bad Gateway", response!.Reason);
        Assert.Equal("5", response.Headers.Get("Content-Length"));
        Assert.Equal("close", response.Headers.Get("Connection"));
        Assert.Equal("caf\u00e9"u8.ToArray(), new ReadOnlySequence<byte>(bytes).Slice(consumed).ToArray());
    }

    [Fact]
    public async Task Error_response_async_writes_the_same_bytes()
    {
        using var stream = new MemoryStream();
        await Http1Relay.WriteErrorResponseAsync(stream, 400, "Bad Request", "invalid request line");
        Assert.Equal(Http1Relay.FormatErrorResponse(400, "Bad Request", "invalid request line"), stream.ToArray());
    }

    private static HttpResponseHead Response(string version, int status, string fields)
    {
        var headers = new HttpHeaders();
        foreach (var field in fields.Split('|', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = field.IndexOf(':', StringComparison.Ordinal);
            headers.Add(field[..colon], field[(colon + 1)..].Trim());
        }

        return new HttpResponseHead(version, status, "R", headers);
    }
}
