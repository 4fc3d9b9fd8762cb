using System.Buffers;
using Forge.Tunnel.Http;
using static Forge.Tunnel.Tests.Http.Sequences;

namespace Forge.Tunnel.Tests.Http;

public class HttpParserTests
{
    private const string GetHead =
        "GET /index.html?q=1&r=%20 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n"
        + "X-Empty:\r\nX-Spaced: \t padded value \t\r\nCookie: a=1\r\nCookie: b=2\r\n\r\n";

    private const string PostHead =
        "POST /api/items HTTP/1.1\r\nHost: app.test:8080\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n";

    private const string PostBody = "{\"a\":\"hello\"}";

    private const string ChunkedHead =
        "PUT /upload HTTP/1.1\r\nHost: app.test\r\ntransfer-encoding: gzip, Chunked\r\n\r\n";

    private const string ChunkedBody = "5\r\nhello\r\n0\r\n\r\n";

    public static TheoryData<string, string> ValidRequests => new()
    {
        { GetHead, "" },
        { PostHead, PostBody },
        { ChunkedHead, ChunkedBody },
        { "\r\n\r\nOPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", "GET / HTTP/1.1\r\n" },
        { "GET / HTTP/1.1\nHost: a\nX-Lf: only\n\n", "" },
        { "CONNECT db.internal:5432 HTTP/1.1\r\nHost: db.internal:5432\r\n\r\n", "\x16\x03\x01" },
    };

    [Theory]
    [MemberData(nameof(ValidRequests))]
    public void Every_prefix_of_a_valid_head_is_incomplete_and_consumes_nothing(string head, string body)
    {
        var bytes = Latin1(head + body);
        for (var length = 0; length < head.Length; length++)
        {
            var prefix = new ReadOnlySequence<byte>(bytes, 0, length);
            var status = HttpParser.TryParseRequestHead(prefix, HttpLimits.Default, out var parsed, out var consumed);
            Assert.True(status == HttpParseStatus.Incomplete, $"prefix {length}: {status}");
            Assert.Null(parsed);
            Assert.Equal(0, Offset(prefix, consumed));
        }

        var full = new ReadOnlySequence<byte>(bytes);
        Assert.Equal(HttpParseStatus.Complete, HttpParser.TryParseRequestHead(full, HttpLimits.Default, out _, out var end));
        Assert.Equal(head.Length, Offset(full, end));
    }

    [Theory]
    [MemberData(nameof(ValidRequests))]
    public void A_valid_head_parses_the_same_however_it_is_split(string head, string body)
    {
        var bytes = Latin1(head + body);
        string? expected = null;
        foreach (var (name, sequence) in AllSplits(bytes))
        {
            var status = HttpParser.TryParseRequestHead(sequence, HttpLimits.Default, out var parsed, out var consumed, out var error);
            Assert.True(status == HttpParseStatus.Complete, $"{name}: {status} {error}");
            Assert.Equal(head.Length, Offset(sequence, consumed));
            expected ??= parsed!.ToString();
            Assert.Equal(expected, parsed!.ToString());
        }
    }

    [Fact]
    public void A_GET_head_keeps_fields_in_order_and_case_with_OWS_trimmed()
    {
        var head = ParseRequest(GetHead);
        Assert.Equal("GET", head.Method);
        Assert.Equal("/index.html?q=1&r=%20", head.Target);
        Assert.Equal("HTTP/1.1", head.Version);
        Assert.Equal("example.com", head.Host);
        Assert.Equal(
            [
                new HttpHeader("Host", "example.com"), new HttpHeader("User-Agent", "curl/8.5.0"), new HttpHeader("Accept", "*/*"),
                new HttpHeader("X-Empty", ""), new HttpHeader("X-Spaced", "padded value"), new HttpHeader("Cookie", "a=1"),
                new HttpHeader("Cookie", "b=2"),
            ],
            head.Headers);
        Assert.Equal(BodyKind.None, head.BodyKind);
        Assert.False(head.IsUpgrade);
    }

    [Fact]
    public void Framing_of_Content_Length_and_chunked_requests()
    {
        var post = ParseRequest(PostHead);
        Assert.Equal(BodyKind.ContentLength, post.BodyKind);
        Assert.Equal(13, post.ContentLength);

        var chunked = ParseRequest(ChunkedHead);
        Assert.Equal(BodyKind.Chunked, chunked.BodyKind);

        var repeated = ParseRequest("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 7\r\nContent-Length: 7, 7\r\n\r\n");
        Assert.Equal(7, repeated.ContentLength);

        var big = ParseRequest("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775807\r\n\r\n");
        Assert.Equal(long.MaxValue, big.ContentLength);
    }

    [Fact]
    public void Bare_LF_lines_are_accepted_and_written_back_with_CRLF()
    {
        var head = ParseRequest("GET / HTTP/1.1\nHost: a\nX-Lf: only\n\n");
        Assert.Equal("GET / HTTP/1.1\r\nHost: a\r\nX-Lf: only\r\n\r\n", head.ToString());
    }

    [Fact]
    public void HTTP_1_0_does_not_need_Host_and_obs_text_is_kept_as_Latin1()
    {
        var head = ParseRequest("GET /caf\u00e9 HTTP/1.0\r\nX-Name: Ren\u00e9\r\n\r\n");
        Assert.Equal("HTTP/1.0", head.Version);
        Assert.Null(head.Host);
        Assert.Equal("/caf\u00e9", head.Target);
        Assert.Equal("Ren\u00e9", head.Headers.Get("x-name"));
    }

    [Fact]
    public void Upgrade_and_CONNECT_are_recognised()
    {
        var ws = ParseRequest("GET /chat HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n");
        Assert.True(ws.IsUpgrade);
        var connectionOnly = ParseRequest("GET /chat HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\n\r\n");
        Assert.False(connectionOnly.IsUpgrade);
        var upgradeOnly = ParseRequest("GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n");
        Assert.False(upgradeOnly.IsUpgrade);
        Assert.True(ParseRequest("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n").IsConnect);
    }

    [Theory]
    [InlineData("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", "Malformed")]
    [InlineData("G\u00c9T / HTTP/1.1\r\nHost: a\r\n\r\n", "Malformed")]
    [InlineData(" GET / HTTP/1.1\r\nHost: a\r\n\r\n", "Malformed")]
    [InlineData("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", "Malformed")]
    [InlineData("GET /  HTTP/1.1\r\nHost: a\r\n\r\n", "Malformed")]
    [InlineData("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", "Malformed")]
    [InlineData("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", "Malformed")]
    [InlineData("GET /\r\nHost: a\r\n\r\n", "Malformed")]
    [InlineData("GET / \r\nHost: a\r\n\r\n", "Malformed")]
    [InlineData("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", "Malformed")]
    [InlineData("GET /a\u0001 HTTP/1.1\r\nHost: a\r\n\r\n", "Malformed")]
    [InlineData("GET /a\u007f HTTP/1.1\r\nHost: a\r\n\r\n", "Malformed")]
    [InlineData("GET / HTTP/2.0\r\nHost: a\r\n\r\n", "Malformed")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "Malformed")]
    [InlineData("GET / HTTP/1.2\r\nHost: a\r\n\r\n", "Malformed")]
    [InlineData("GET / http/1.1\r\nHost: a\r\n\r\n", "Malformed")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", "Malformed")]
    [InlineData("GET / HTTP/1.1\r\nHost : a\r\n\r\n", "Malformed")]
    [InlineData("GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", "Malformed")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n: empty name\r\n\r\n", "Malformed")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX(y): z\r\n\r\n", "Malformed")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n  folded\r\n\r\n", "Malformed")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n\tfolded\r\n\r\n", "Malformed")]
    [InlineData("GET / HTTP/1.1\r\n Host: a\r\n\r\n", "Malformed")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\0c\r\n\r\n", "Malformed")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\u0007\r\n\r\n", "Malformed")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\u007f\r\n\r\n", "Malformed")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\rX-A: b\r\n\r\n", "Malformed")]
    [InlineData("GET / HTTP/1.1\rHost: a\r\n\r\n", "Malformed")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\r\n\r\n", "Malformed")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\r\r\n\r\n", "Malformed")]
    [InlineData("\rGET / HTTP/1.1\r\nHost: a\r\n\r\n", "Malformed")]
    [InlineData("\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", "Malformed")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", "Malformed")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", "Malformed")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", "Malformed")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n", "Malformed")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", "Malformed")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", "Malformed")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1a\r\n\r\n", "Malformed")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", "Malformed")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", "Malformed")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5,\r\n\r\n", "Malformed")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775808\r\n\r\n", "Malformed")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\n", "Malformed")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", "Malformed")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", "Malformed")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n", "Malformed")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \r\n\r\n", "Malformed")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", "Malformed")]
    [InlineData("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", "Malformed")]
    [InlineData("GET / HTTP/1.1\r\nUser-Agent: x\r\n\r\n", "Malformed")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "Malformed")]
    [InlineData("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", "Malformed")]
    [InlineData("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", "Malformed")]
    [InlineData("GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", "Malformed")]
    public void Malformed_heads_are_refused(string raw, string expected)
    {
        var buffer = new ReadOnlySequence<byte>(Latin1(raw));
        var status = HttpParser.TryParseRequestHead(buffer, HttpLimits.Default, out var head, out var consumed, out var error);
        Assert.Equal(Enum.Parse<HttpParseStatus>(expected), status);
        Assert.Null(head);
        Assert.False(string.IsNullOrWhiteSpace(error));
        Assert.DoesNotContain('\n', error);
        Assert.Equal(0, Offset(buffer, consumed));
    }

    [Theory]
    [InlineData("G(")]
    [InlineData("GET  ")]
    [InlineData("GET /\u0000")]
    [InlineData("GET / HTTP/2")]
    [InlineData("GET / HTTPS")]
    [InlineData("GET / HTTP/1.1x")]
    [InlineData("\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u00fc\u0003\u0003")]
    [InlineData("\r\r")]
    [InlineData("GET / HTTP/1.1\rX")]
    public void A_start_line_that_cannot_become_valid_is_refused_before_it_completes(string partial)
    {
        var status = HttpParser.TryParseRequestHead(new ReadOnlySequence<byte>(Latin1(partial)), HttpLimits.Default, out _, out _);
        Assert.Equal(HttpParseStatus.Malformed, status);
    }

    [Fact]
    public void Head_size_limit_is_exact()
    {
        var raw = Latin1("GET / HTTP/1.1\r\nHost: a\r\nX-Pad: " + new string('p', 200) + "\r\n\r\n");
        var exact = HttpLimits.Default with { MaxHeadBytes = raw.Length };
        var oneLess = HttpLimits.Default with { MaxHeadBytes = raw.Length - 1 };
        var whole = new ReadOnlySequence<byte>(raw);
        Assert.Equal(HttpParseStatus.Complete, HttpParser.TryParseRequestHead(whole, exact, out _, out _));
        Assert.Equal(HttpParseStatus.HeadTooLarge, HttpParser.TryParseRequestHead(whole, oneLess, out _, out _));

        // Incomplete input already at the limit cannot complete within it: refused at once.
        var partial = whole.Slice(0, raw.Length - 1);
        Assert.Equal(HttpParseStatus.Incomplete, HttpParser.TryParseRequestHead(partial, exact, out _, out _));
        Assert.Equal(HttpParseStatus.HeadTooLarge, HttpParser.TryParseRequestHead(partial, oneLess, out _, out _));
    }

    [Fact]
    public void An_endless_header_is_refused_without_waiting_for_its_end()
    {
        var raw = Latin1("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + new string('b', 40 * 1024));
        foreach (var (name, sequence) in new[] { ("whole", new ReadOnlySequence<byte>(raw)), ("split", Split(raw, 7, 1000, 33000)) })
        {
            var status = HttpParser.TryParseRequestHead(sequence, HttpLimits.Default, out _, out _, out var error);
            Assert.True(status == HttpParseStatus.HeadTooLarge, $"{name}: {status} {error}");
        }
    }

    [Fact]
    public void Header_count_limit()
    {
        string Head(int fields) =>
            "GET / HTTP/1.1\r\n" + string.Concat(Enumerable.Range(0, fields).Select(i => i == 0 ? "Host: a\r\n" : $"X-{i}: v\r\n")) + "\r\n";

        Assert.Equal(HttpParseStatus.Complete, HttpParser.TryParseRequestHead(new ReadOnlySequence<byte>(Latin1(Head(100))), HttpLimits.Default, out _, out _));
        Assert.Equal(HttpParseStatus.HeadTooLarge, HttpParser.TryParseRequestHead(new ReadOnlySequence<byte>(Latin1(Head(101))), HttpLimits.Default, out _, out _));

        // Refused as soon as the 101st field line is seen, before the head ends.
        var unfinished = Head(101)[..^2];
        Assert.Equal(HttpParseStatus.HeadTooLarge, HttpParser.TryParseRequestHead(new ReadOnlySequence<byte>(Latin1(unfinished)), HttpLimits.Default, out _, out _));
    }

    [Fact]
    public void Request_line_limit_gives_URI_too_long_complete_or_not()
    {
        var limits = HttpLimits.Default;
        var fits = "GET /" + new string('a', limits.MaxRequestLineBytes - "GET / HTTP/1.1".Length) + " HTTP/1.1";
        Assert.Equal(limits.MaxRequestLineBytes, fits.Length);
        Assert.Equal(HttpParseStatus.Complete, HttpParser.TryParseRequestHead(new ReadOnlySequence<byte>(Latin1(fits + "\r\nHost: a\r\n\r\n")), limits, out _, out _));

        var tooLong = "GET /" + new string('a', limits.MaxRequestLineBytes) + " HTTP/1.1";
        Assert.Equal(HttpParseStatus.UriTooLong, HttpParser.TryParseRequestHead(new ReadOnlySequence<byte>(Latin1(tooLong + "\r\nHost: a\r\n\r\n")), limits, out _, out _));

        // Without its line end: refused once it is longer than the limit, not before.
        var growing = Latin1("GET /" + new string('a', limits.MaxRequestLineBytes + 10));
        Assert.Equal(HttpParseStatus.Incomplete, HttpParser.TryParseRequestHead(new ReadOnlySequence<byte>(growing, 0, limits.MaxRequestLineBytes), limits, out _, out _));
        Assert.Equal(HttpParseStatus.UriTooLong, HttpParser.TryParseRequestHead(new ReadOnlySequence<byte>(growing, 0, limits.MaxRequestLineBytes + 1), limits, out _, out _));
        Assert.Equal(HttpParseStatus.UriTooLong, HttpParser.TryParseRequestHead(OneBytePerSegment(growing), limits, out _, out _));
    }

    [Fact]
    public void Only_the_head_is_consumed_and_the_next_message_stays()
    {
        var bytes = Latin1(PostHead + PostBody + "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.Equal(HttpParseStatus.Complete, HttpParser.TryParseRequestHead(buffer, HttpLimits.Default, out _, out var consumed));
        var rest = buffer.Slice(consumed);
        Assert.Equal(PostBody + "GET / HTTP/1.1\r\nHost: a\r\n\r\n", Text(rest.ToArray()));
    }

    public static TheoryData<string, int, string> ValidResponses => new()
    {
        { "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\n", 200, "OK" },
        { "HTTP/1.1 404 Not Found Here\r\nContent-Length: 0\r\n\r\n", 404, "Not Found Here" },
        { "HTTP/1.1 204 \r\nDate: x\r\n\r\n", 204, "" },
        { "HTTP/1.1 204\r\n\r\n", 204, "" },
        { "HTTP/1.0 302 Moved\tTemporarily\nLocation: /x\n\n", 302, "Moved\tTemporarily" },
        { "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", 101, "Switching Protocols" },
        { "HTTP/1.1 599 \u00c9trange\r\n\r\n", 599, "\u00c9trange" },
    };

    [Theory]
    [MemberData(nameof(ValidResponses))]
    public void Valid_response_heads_parse_from_every_prefix_and_split(string head, int status, string reason)
    {
        var bytes = Latin1(head + "body");
        for (var length = 0; length < head.Length; length++)
        {
            var prefix = new ReadOnlySequence<byte>(bytes, 0, length);
            var result = HttpParser.TryParseResponseHead(prefix, HttpLimits.Default, out _, out var consumed);
            Assert.True(result == HttpParseStatus.Incomplete, $"prefix {length}: {result}");
            Assert.Equal(0, Offset(prefix, consumed));
        }

        foreach (var (name, sequence) in AllSplits(bytes))
        {
            var result = HttpParser.TryParseResponseHead(sequence, HttpLimits.Default, out var parsed, out var consumed, out var error);
            Assert.True(result == HttpParseStatus.Complete, $"{name}: {result} {error}");
            Assert.Equal(head.Length, Offset(sequence, consumed));
            Assert.Equal(status, parsed!.StatusCode);
            Assert.Equal(reason, parsed.Reason);
        }
    }

    [Theory]
    [InlineData("HTTP/1.1 20 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 2000 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 099 Low\r\n\r\n")]
    [InlineData("HTTP/1.1  200 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 200OK\r\n\r\n")]
    [InlineData("HTTP/2 200 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 2x0 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 200 O\u0000K\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX: y\r\n folded\r\n\r\n")]
    [InlineData("SSH-2.0-OpenSSH_9.6\r\n")]
    [InlineData("<html>")]
    public void Malformed_response_heads_are_refused(string raw)
    {
        var status = HttpParser.TryParseResponseHead(new ReadOnlySequence<byte>(Latin1(raw)), HttpLimits.Default, out var head, out _);
        Assert.Equal(HttpParseStatus.Malformed, status);
        Assert.Null(head);
    }

    [Fact]
    public void Oversized_response_head_is_too_large()
    {
        var raw = Latin1("HTTP/1.1 200 OK\r\nX-Big: " + new string('b', 40 * 1024));
        Assert.Equal(HttpParseStatus.HeadTooLarge, HttpParser.TryParseResponseHead(new ReadOnlySequence<byte>(raw), HttpLimits.Default, out _, out _));
    }

    private static HttpRequestHead ParseRequest(string raw)
    {
        var status = HttpParser.TryParseRequestHead(new ReadOnlySequence<byte>(Latin1(raw)), HttpLimits.Default, out var head, out _, out var error);
        Assert.True(status == HttpParseStatus.Complete, $"{status}: {error}");
        return head!;
    }
}
