namespace Forge.Cache.Commands;

/// <summary>String commands.</summary>
internal static class StringCommands
{
    public static void Register(CommandTable t)
    {
    }
}
