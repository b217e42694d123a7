namespace KbSr.Tests;

/// <summary><see cref="AtomicFile"/> replaces a file, never rewrites it: a reader holding the old file keeps reading the
/// old bytes, and a writer that fails leaves the old file whole and no temporary behind.</summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kbsr-atomic-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Write_ReplacesTheFile_SoAnOpenReaderStillSeesTheOldBytes()
    {
        string path = Path.Combine(_root, "table.md");
        File.WriteAllText(path, "old table");
        using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        AtomicFile.WriteAllText(path, "the new table, longer");
        using (var old = new StreamReader(reader, leaveOpen: true)) Assert.Equal("old table", old.ReadToEnd());   // written in place, it would read the new text
        Assert.Equal("the new table, longer", File.ReadAllText(path));
        Assert.Equal(["table.md"], Directory.GetFiles(_root).Select(Path.GetFileName));
    }

    [Fact]
    public void Write_ThatFailsHalfway_LeavesTheOldFileWhole_AndNoTemporary()
    {
        string path = Path.Combine(_root, "card.json");
        File.WriteAllText(path, "{\"old\": true}");
        var e = Assert.Throws<IOException>(() => AtomicFile.Write(path, s =>
        {
            s.Write("{\"new\": "u8);
            throw new IOException("disk full");
        }));
        Assert.Equal("disk full", e.Message);
        Assert.Equal("{\"old\": true}", File.ReadAllText(path));
        Assert.Equal(["card.json"], Directory.GetFiles(_root).Select(Path.GetFileName));
    }
}
