namespace Forge.Cache.Commands;

/// <summary>Bit commands.</summary>
internal static class BitCommands
{
    public static void Register(CommandTable t)
    {
    }
}
