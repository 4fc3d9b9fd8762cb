using System.Text.Json;

namespace Forge.Containers;

/// <summary>
/// Typed reads of one JSON object's members for the hand-written codecs of config.json and
/// state.json (<see cref="Runtime.RuntimeSpecJson"/>, <see cref="Runtime.ContainerRecordJson"/>).
/// <para>
/// Why those two are written by hand: they are read and written on every container's start, and
/// in the NativeAOT build System.Text.Json's first use of a type's metadata costs milliseconds
/// even when source-generated (each converter asks for its type's assembly and each type is
/// searched for polymorphism attributes through reflection metadata): about a tenth of all the
/// CPU time of `run --rm` before this change, in both forge and the init. A JsonDocument walk and
/// a Utf8JsonWriter touch none of that.
/// </para>
/// Semantics are System.Text.Json's defaults as the source-generated context had them: member
/// names are case-sensitive, unknown members are skipped, a missing or null member keeps its
/// default; a member of the wrong kind is a <see cref="JsonException"/> naming it.
/// </summary>
internal readonly struct JsonFields(JsonElement obj, string path)
{
    /// <summary>Parses <paramref name="json"/>, which must be one object, and reads it with <paramref name="read"/>.</summary>
    public static T Read<T>(ReadOnlyMemory<byte> json, string what, Func<JsonFields, T> read)
    {
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"{what}: expected a JSON object, found {document.RootElement.ValueKind}");
        }

        try
        {
            return read(new JsonFields(document.RootElement, "$"));
        }
        catch (InvalidOperationException e)
        {
            // JsonDocument checks UTF-8 only when a string is read: the serializer called that a JsonException too.
            throw new JsonException($"{what}: {e.Message}", e);
        }
    }

    private bool TryGet(string name, out JsonElement value) =>
        obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private JsonException Wrong(string name, string expected, JsonElement value) =>
        new($"{path}.{name}: expected {expected}, found {value.ValueKind}");

    public JsonFields? Object(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Object ? new JsonFields(value, path + "." + name) : throw Wrong(name, "an object", value);
    }

    public string? String(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Wrong(name, "a string", value);
    }

    public bool? Bool(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Wrong(name, "true or false", value),
        };
    }

    public long? Int64(string name) => Number(name, static (JsonElement e, out long v) => e.TryGetInt64(out v));

    public ulong? UInt64(string name) => Number(name, static (JsonElement e, out ulong v) => e.TryGetUInt64(out v));

    public int? Int32(string name) => Number(name, static (JsonElement e, out int v) => e.TryGetInt32(out v));

    public uint? UInt32(string name) => Number(name, static (JsonElement e, out uint v) => e.TryGetUInt32(out v));

    private delegate bool TryNumber<T>(JsonElement element, out T value);

    private T? Number<T>(string name, TryNumber<T> read)
        where T : struct
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            throw Wrong(name, "a number", value);
        }

        return read(value, out var number) ? number : throw new JsonException($"{path}.{name}: {value.GetRawText()} is out of range for {typeof(T).Name}");
    }

    public DateTimeOffset? Time(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw Wrong(name, "a string", value);
        }

        return value.TryGetDateTimeOffset(out var time) ? time : throw new JsonException($"{path}.{name}: \"{value.GetString()}\" is not an ISO 8601 time");
    }

    public List<string>? Strings(string name) => Array(name, static (JsonElement e, string at) =>
        e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new JsonException($"{at}: expected a string, found {e.ValueKind}"));

    public List<int>? Int32s(string name) => Array(name, static (JsonElement e, string at) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var v) ? v : throw new JsonException($"{at}: expected a 32-bit integer, found {e.ValueKind}"));

    public List<T>? Objects<T>(string name, Func<JsonFields, T> read) => Array(name, (JsonElement e, string at) =>
        e.ValueKind == JsonValueKind.Object ? read(new JsonFields(e, at)) : throw new JsonException($"{at}: expected an object, found {e.ValueKind}"));

    public Dictionary<string, string>? StringMap(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Wrong(name, "an object", value);
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var member in value.EnumerateObject())
        {
            map[member.Name] = member.Value.ValueKind == JsonValueKind.String
                ? member.Value.GetString()!
                : throw new JsonException($"{path}.{name}.{member.Name}: expected a string, found {member.Value.ValueKind}");
        }

        return map;
    }

    private List<T>? Array<T>(string name, Func<JsonElement, string, T> read)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Wrong(name, "an array", value);
        }

        var list = new List<T>(value.GetArrayLength());
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            list.Add(read(item, $"{path}.{name}[{i++}]"));
        }

        return list;
    }
}

/// <summary>Writes for the hand-written codecs: arrays of strings and maps, skipping nulls as the serializer did.</summary>
internal static class JsonWrites
{
    public static void StringArray(this Utf8JsonWriter w, string name, IEnumerable<string>? items)
    {
        if (items is null)
        {
            return;
        }

        w.WriteStartArray(name);
        foreach (var item in items)
        {
            w.WriteStringValue(item);
        }

        w.WriteEndArray();
    }

    public static void OptionalString(this Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    public static void OptionalNumber(this Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
    }

    public static void OptionalNumber(this Utf8JsonWriter w, string name, ulong? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
    }

    public static void OptionalTime(this Utf8JsonWriter w, string name, DateTimeOffset? value)
    {
        if (value is { } v)
        {
            w.WriteString(name, v);
        }
    }

    public static byte[] ToUtf8(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(2048);
        using (var w = new Utf8JsonWriter(buffer))
        {
            write(w);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
