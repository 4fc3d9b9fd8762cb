namespace Forge.Cache.Commands;

/// <summary>Transaction commands.</summary>
internal static class TransactionCommands
{
    public static void Register(CommandTable t)
    {
    }
}
