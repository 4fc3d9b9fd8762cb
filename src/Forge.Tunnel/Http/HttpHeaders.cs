using System.Collections;

namespace Forge.Tunnel.Http;

/// <summary>One field line of a head, as received: original name case, value without surrounding OWS.</summary>
internal readonly record struct HttpHeader(string Name, string Value);

/// <summary>
/// The field lines of a head in their original order and case (RFC 9110 §5.3: order matters for
/// fields that repeat; names compare case-insensitively, RFC 9110 §5.1). Setters validate what code
/// adds so that a rewritten head can never carry CR/LF (header injection) or non-Latin-1 text.
/// </summary>
internal sealed class HttpHeaders : IReadOnlyList<HttpHeader>
{
    private readonly List<HttpHeader> _fields;

    public HttpHeaders()
    {
        _fields = [];
    }

    internal HttpHeaders(int capacity)
    {
        _fields = new List<HttpHeader>(capacity);
    }

    public int Count => _fields.Count;

    public HttpHeader this[int index] => _fields[index];

    /// <summary>The value of the first field named <paramref name="name"/>, or null.</summary>
    public string? Get(string name)
    {
        foreach (var field in _fields)
        {
            if (NameEquals(field.Name, name))
            {
                return field.Value;
            }
        }

        return null;
    }

    /// <summary>The values of every field named <paramref name="name"/>, in order.</summary>
    public IReadOnlyList<string> GetAll(string name)
    {
        List<string>? values = null;
        foreach (var field in _fields)
        {
            if (NameEquals(field.Name, name))
            {
                (values ??= []).Add(field.Value);
            }
        }

        return values ?? (IReadOnlyList<string>)[];
    }

    /// <summary>How many fields are named <paramref name="name"/>.</summary>
    public int CountOf(string name)
    {
        var count = 0;
        foreach (var field in _fields)
        {
            if (NameEquals(field.Name, name))
            {
                count++;
            }
        }

        return count;
    }

    public bool Contains(string name) => IndexOf(name) >= 0;

    /// <summary>Appends a field line (validated).</summary>
    public void Add(string name, string value)
    {
        Validate(name, value);
        _fields.Add(new HttpHeader(name, value));
    }

    /// <summary>Replaces the value of the first field named <paramref name="name"/>, removes the others, appends when absent.</summary>
    public void Set(string name, string value)
    {
        Validate(name, value);
        var first = IndexOf(name);
        if (first < 0)
        {
            _fields.Add(new HttpHeader(name, value));
            return;
        }

        _fields[first] = new HttpHeader(_fields[first].Name, value);
        for (var i = _fields.Count - 1; i > first; i--)
        {
            if (NameEquals(_fields[i].Name, name))
            {
                _fields.RemoveAt(i);
            }
        }
    }

    /// <summary>Removes every field named <paramref name="name"/>; true when one was there.</summary>
    public bool Remove(string name)
    {
        var removed = false;
        for (var i = _fields.Count - 1; i >= 0; i--)
        {
            if (NameEquals(_fields[i].Name, name))
            {
                _fields.RemoveAt(i);
                removed = true;
            }
        }

        return removed;
    }

    /// <summary>
    /// True when any field named <paramref name="name"/> holds <paramref name="token"/> as one element of its
    /// comma-separated list (RFC 9110 §5.6.1), compared case-insensitively, e.g. <c>Connection: keep-alive, Upgrade</c>.
    /// </summary>
    public bool ContainsToken(string name, string token)
    {
        foreach (var field in _fields)
        {
            if (!NameEquals(field.Name, name))
            {
                continue;
            }

            foreach (var range in field.Value.AsSpan().Split(','))
            {
                var element = HttpSyntax.TrimOws(field.Value.AsSpan()[range]);
                if (element.Equals(token, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }

    public List<HttpHeader>.Enumerator GetEnumerator() => _fields.GetEnumerator();

    IEnumerator<HttpHeader> IEnumerable<HttpHeader>.GetEnumerator() => _fields.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _fields.GetEnumerator();

    /// <summary>Appends a field the parser has already validated.</summary>
    internal void AddParsed(string name, string value) => _fields.Add(new HttpHeader(name, value));

    /// <summary>Bytes the field lines take on the wire: <c>name ": " value CRLF</c> each.</summary>
    internal int WireLength()
    {
        var length = 0;
        foreach (var field in _fields)
        {
            length += field.Name.Length + 2 + field.Value.Length + 2;
        }

        return length;
    }

    private int IndexOf(string name)
    {
        for (var i = 0; i < _fields.Count; i++)
        {
            if (NameEquals(_fields[i].Name, name))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool NameEquals(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static void Validate(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        if (!HttpSyntax.IsToken(name))
        {
            throw new ArgumentException($"'{name}' is not a valid field name (RFC 9110 §5.1 token).", nameof(name));
        }

        if (!HttpSyntax.IsValidFieldValue(value))
        {
            throw new ArgumentException("A field value must be Latin-1 text without control characters (RFC 9110 §5.5).", nameof(value));
        }
    }
}
