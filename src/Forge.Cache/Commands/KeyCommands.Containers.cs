namespace Forge.Cache.Commands;

/// <summary>The per-type parts of COPY and OBJECT ENCODING, one line per container type.</summary>
internal static partial class KeyCommands
{
    private static object CloneContainer(object value) => value switch
    {
        _ => throw new NotSupportedException($"COPY of {TypeName(value)} values"),
    };

    private static string ContainerEncoding(CommandContext c, object value)
    {
        _ = c;
        return TypeName(value) switch
        {
            _ => "unknown",
        };
    }
}
