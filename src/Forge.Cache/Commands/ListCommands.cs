namespace Forge.Cache.Commands;

/// <summary>List commands.</summary>
internal static class ListCommands
{
    public static void Register(CommandTable t)
    {
    }
}
