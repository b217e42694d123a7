using KbSr.Imaging;

namespace KbSr.Tests.Imaging;

/// <summary>Every unreadable image names itself and says what is wrong, in printable text.</summary>
public sealed class ImageFileErrorTests : IDisposable
{
    private readonly string _folder = TestImages.TempFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Read_OfAFolder_SaysItIsAFolder()
    {
        string folder = Directory.CreateDirectory(Path.Combine(_folder, "photos.png")).FullName;
        var e = Assert.Throws<InvalidDataException>(() => ImageFile.Read(folder));
        Assert.Contains($"{folder}: is a folder", e.Message);
        Assert.DoesNotContain("not found", e.Message);
    }

    [Fact]
    public void Read_OfTruncatedPngs_NamesTheFile_InPrintableText()
    {
        string whole = Path.Combine(_folder, "whole.png");
        ImageFile.WritePng(TestImages.Random(40, 30, seed: 3), whole);
        byte[] png = File.ReadAllBytes(whole);
        // Cut at many points: inside the header, inside IDAT, just before IEND.
        foreach (int length in new[] { 20, 40, 60, png.Length / 3, png.Length / 2, png.Length - 20, png.Length - 12 })
        {
            string path = Path.Combine(_folder, $"cut{length}.png");
            File.WriteAllBytes(path, png[..length]);
            var e = Assert.ThrowsAny<Exception>(() => ImageFile.Read(path));
            Assert.True(e is InvalidDataException, $"{length} bytes: {e.GetType().Name}: {e.Message}");
            Assert.Contains(path, e.Message);
            Assert.False(e.Message.Any(char.IsControl), $"{length} bytes: control characters in \"{e.Message}\"");
        }
    }
}
