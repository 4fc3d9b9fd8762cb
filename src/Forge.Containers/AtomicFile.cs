using System.Text;

namespace Forge.Containers;

/// <summary>Whole-file writes that readers never see half done: write a sibling temp file, then rename over.</summary>
internal static class AtomicFile
{
    public static void Write(string path, string text) => Write(path, Encoding.UTF8.GetBytes(text));

    public static void Write(string path, byte[] bytes)
    {
        var temp = path + ".tmp-" + Environment.ProcessId;
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true);
    }
}
