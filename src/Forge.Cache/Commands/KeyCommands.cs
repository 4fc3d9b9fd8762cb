namespace Forge.Cache.Commands;

/// <summary>Key commands.</summary>
internal static class KeyCommands
{
    public static void Register(CommandTable t)
    {
    }
}
