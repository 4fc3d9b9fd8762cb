namespace Forge.Cache.Commands;

/// <summary>Server commands.</summary>
internal static class ServerCommands
{
    public static void Register(CommandTable t)
    {
    }
}
