namespace Forge.Cache.Commands;

/// <summary>PubSub commands.</summary>
internal static class PubSubCommands
{
    public static void Register(CommandTable t)
    {
    }
}
