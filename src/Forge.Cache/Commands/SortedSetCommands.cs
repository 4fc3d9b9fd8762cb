namespace Forge.Cache.Commands;

/// <summary>SortedSet commands.</summary>
internal static class SortedSetCommands
{
    public static void Register(CommandTable t)
    {
    }
}
