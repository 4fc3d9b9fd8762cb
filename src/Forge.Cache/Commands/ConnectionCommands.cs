namespace Forge.Cache.Commands;

/// <summary>Connection commands.</summary>
internal static class ConnectionCommands
{
    public static void Register(CommandTable t)
    {
    }
}
