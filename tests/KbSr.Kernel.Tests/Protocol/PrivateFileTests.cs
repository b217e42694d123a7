using System.Runtime.Versioning;
using KbSr.Kernel.Protocol;

namespace KbSr.Kernel.Tests.Protocol;

/// <summary>Connection files (they hold the signing key) are owner-only from the moment they exist.</summary>
[UnsupportedOSPlatform("windows")] // Unix file modes
public class PrivateFileTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public void CreateNew_IsOwnerOnlyBeforeAnythingIsWritten()
    {
        string path = Path.Combine(TestTools.NewTempDir(), "c.json");
        using var stream = PrivateFile.CreateNew(path);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path)); // at creation, not after a later chmod
    }

    [Fact]
    public void CreateFolder_OwnerOnlyAndNew()
    {
        string a = PrivateFile.CreateFolder("kbsr-test-"), b = PrivateFile.CreateFolder("kbsr-test-");
        Assert.NotEqual(a, b);
        Assert.Equal(OwnerOnly | UnixFileMode.UserExecute, File.GetUnixFileMode(a));
        Directory.Delete(a);
        Directory.Delete(b);
    }

    [Fact]
    public void ConnectionWrite_OwnerOnly_AlsoOverAWorldReadableFile_AndReadsBack()
    {
        string path = Path.Combine(TestTools.NewTempDir(), "connection.json");
        File.WriteAllText(path, "{}");
        File.SetUnixFileMode(path, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var connection = ConnectionInfo.CreateLocal();
        connection.Write(path);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
        Assert.Equal(connection.Key, ConnectionInfo.Read(path).Key);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temporary file left
    }
}
