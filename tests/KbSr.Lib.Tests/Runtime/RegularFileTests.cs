using System.Runtime.InteropServices;
using KbSr.Evaluation;
using KbSr.Imaging;
using KbSr.Runtime;
using KbSr.Training;

namespace KbSr.Tests.Runtime;

/// <summary>The files commands are given are read only when they are regular files, and only up to a bound
/// (Runtime/RegularFile.cs): a FIFO is refused at once instead of blocking in open(), /dev/zero instead of being read
/// until memory runs out.</summary>
public sealed class RegularFileTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kbsr-regular-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [DllImport("libc", SetLastError = true)]
    private static extern int mkfifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);

    private string Fifo(string name)
    {
        string path = Path.Combine(_root, name);
        Assert.Equal(0, mkfifo(path, 0x180));   // 0600
        return path;
    }

    private string Zero(string name)
    {
        string path = Path.Combine(_root, name);
        File.CreateSymbolicLink(path, "/dev/zero");
        return path;
    }

    /// <summary>Runs <paramref name="read"/> with a deadline, so a reader that blocks fails the test instead of hanging it.</summary>
    private static Exception Refused(Action read)
    {
        var task = Task.Run(() => Record.Exception(read));
        Assert.True(task.Wait(TimeSpan.FromSeconds(20)), "the reader blocked");
        return Assert.IsType<InvalidDataException>(task.Result);
    }

    public static TheoryData<string> Readers() => ["checkpoint", "image", "train.json", "journal"];

    private void Read(string reader, string path)
    {
        switch (reader)
        {
            case "checkpoint": Checkpoint.Read(path).Dispose(); break;
            case "image": ImageFile.Read(path); break;
            case "train.json":
                string run = Path.Combine(_root, "run-" + Path.GetFileName(path));
                Directory.CreateDirectory(run);
                File.Move(path, Path.Combine(run, "train.json"));
                RunFolder.ReadOptions(run);
                break;
            case "journal":
                Directory.CreateDirectory(Path.Combine(_root, "Set5"));
                string prefix = Path.Combine(_root, "eval-" + Path.GetFileName(path));
                Directory.CreateDirectory(Path.GetDirectoryName(EvalJournal.PathFor(prefix))!);
                File.Move(path, EvalJournal.PathFor(prefix));
                EvalJournal.Open(prefix, EvalFingerprint.For(new EvalOptions(["Set5"], [1.3], Scale: 4, DataRoot: _root), ["bicubic"], []), resume: true).Dispose();
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void AFifo_IsRefusedAtOnce_NamingIt(string reader)
    {
        string path = Fifo($"{reader}.fifo");
        var e = Refused(() => Read(reader, path));
        Assert.Contains("FIFO", e.Message);
        Assert.Contains("not a regular file", e.Message);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void ALinkToDevZero_IsRefusedWithoutReadingIt(string reader)
    {
        string path = Zero($"{reader}.zero");
        long before = GC.GetTotalAllocatedBytes();
        var e = Refused(() => Read(reader, path));
        Assert.Contains("character device", e.Message);
        Assert.True(GC.GetTotalAllocatedBytes() - before < 64 << 20, "the reader allocated as if it read the device");
    }

    [Fact]
    public void AFileLargerThanItsBound_IsRefusedBeforeItIsRead()
    {
        string path = Path.Combine(_root, "big.bin");
        File.WriteAllBytes(path, new byte[3000]);
        var e = Assert.Throws<InvalidDataException>(() => RegularFile.ReadAllBytes(path, 2048, "kernel PCA"));
        Assert.Contains("3,000 bytes, more than a kernel PCA may have (2,048)", e.Message);
        Assert.Equal(3000, RegularFile.ReadAllBytes(path, 3000, "kernel PCA").Length);
        Assert.Equal("regular file", RegularFile.Kind(path));
        Assert.Equal("folder", RegularFile.Kind(_root));
    }
}
