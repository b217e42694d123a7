using System.Runtime.InteropServices;
using System.Text;

namespace KbSr.Runtime;

/// <summary>
/// Reads the files a command is given (checkpoints, journals, run settings, images) only when they are regular files,
/// and never more than a stated number of bytes: `ln -s /dev/zero x.ckpt` once read 4.3 GB before failing, and a FIFO
/// given as weights blocked forever in open(). The file type comes from stat(2), which follows links; .NET's own file
/// attributes call a FIFO or a device "Normal".
/// </summary>
public static class RegularFile
{
    /// <summary>Fails unless <paramref name="path"/> (after links) is a regular file; <paramref name="what"/> names it
    /// in the message ("checkpoint", "evaluation journal").</summary>
    public static void Require(string path, string what)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) throw new InvalidDataException($"{path}: is a folder, not a {what} file");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: {what} not found", path);
        if (Kind(path) is { } kind && kind != "regular file")
            throw new InvalidDataException($"{path}: is a {kind}, not a regular file; expected a {what} file");
    }

    /// <summary>All bytes of a regular file of at most <paramref name="maxBytes"/> bytes, checked before anything is allocated.</summary>
    public static byte[] ReadAllBytes(string path, long maxBytes, string what)
    {
        Require(path, what);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        long length = stream.Length;
        if (length > maxBytes)
            throw new InvalidDataException($"{path}: {length:N0} bytes, more than a {what} may have ({maxBytes:N0}); is it the right file?");
        var bytes = new byte[length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>A regular file's UTF-8 text, of at most <paramref name="maxBytes"/> bytes.</summary>
    public static string ReadAllText(string path, long maxBytes, string what) =>
        new UTF8Encoding(false).GetString(ReadAllBytes(path, maxBytes, what)).TrimStart('\uFEFF');

    /// <summary>"regular file", "FIFO", "character device", … for <paramref name="path"/> after links; null where the
    /// platform's stat layout is not known here (then only the size bound applies).</summary>
    public static string? Kind(string path)
    {
        int offset = StatModeOffset();
        if (offset < 0) return null;
        var buffer = new byte[256];   // struct stat is 128 (aarch64) or 144 (x86-64) bytes
        if (stat(path, buffer) != 0) return null;
        int mode = BitConverter.ToInt32(buffer, offset) & 0xF000;   // S_IFMT
        return mode switch
        {
            0x8000 => "regular file",
            0x4000 => "folder",
            0x1000 => "FIFO (named pipe)",
            0x2000 => "character device",
            0x6000 => "block device",
            0xC000 => "socket",
            _ => "special file",
        };
    }

    // st_mode's offset in glibc's struct stat: after st_dev, st_ino and (x86-64 only) st_nlink.
    private static int StatModeOffset() =>
        !OperatingSystem.IsLinux() ? -1 : RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 24,
            Architecture.Arm64 => 16,
            _ => -1,
        };

    [DllImport("libc", SetLastError = true)]
    private static extern int stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] buffer);
}
