namespace Forge.Cache.Commands;

/// <summary>Set commands.</summary>
internal static class SetCommands
{
    public static void Register(CommandTable t)
    {
    }
}
