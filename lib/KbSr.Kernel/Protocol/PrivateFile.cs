using System.Text;

namespace KbSr.Kernel.Protocol;

/// <summary>
/// Files only their owner may read (connection files hold the key that lets anyone who reads it run code as the
/// user). On Unix they are created with mode 0600 and folders with 0700 from the start, never widened and then
/// narrowed, so there is no moment in which another user can open them.
/// </summary>
public static class PrivateFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>A new file (it must not exist) created owner-only.</summary>
    public static FileStream CreateNew(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnly;
        return new FileStream(path, options);
    }

    /// <summary>A new folder under the temp folder that only its owner can enter (mkdtemp: mode 0700).</summary>
    public static string CreateFolder(string prefix) => Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>Writes <paramref name="text"/> atomically (temporary owner-only file, then rename): the result is owner-only
    /// even when <paramref name="path"/> existed with a wider mode.</summary>
    public static void WriteAllText(string path, string text)
    {
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = CreateNew(temp))
            {
                stream.Write(new UTF8Encoding(false).GetBytes(text));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
