namespace Forge.Cache.Commands;

/// <summary>Hash commands.</summary>
internal static class HashCommands
{
    public static void Register(CommandTable t)
    {
    }
}
