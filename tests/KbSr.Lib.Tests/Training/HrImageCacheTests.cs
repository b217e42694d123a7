using KbSr.Imaging;
using KbSr.Tests.Evaluation;
using KbSr.Training;

namespace KbSr.Tests.Training;

public class HrImageCacheTests
{
    [Fact]
    public void Load_SkipsImagesSmallerThanTheCropWithOneWarningLineNamingThem()
    {
        string root = Directory.CreateTempSubdirectory("kbsr-cache-").FullName;
        try
        {
            string folder = Path.Combine(root, "T91");
            ImageFile.WritePng(EvalTestData.Smooth(40, 36, seed: 1), Path.Combine(folder, "big.png"));
            ImageFile.WritePng(EvalTestData.Smooth(40, 20, seed: 2), Path.Combine(folder, "short.png"));
            ImageFile.WritePng(EvalTestData.Smooth(32, 32, seed: 3), Path.Combine(folder, "exact.png"));
            var warnings = new List<string>();
            using var cache = HrImageCache.Load([folder], minSize: 32, warnings.Add);

            Assert.Equal(2, cache.Count);
            Assert.Equal(new[] { Path.Combine("T91", "big.png"), Path.Combine("T91", "exact.png") }, cache.Names);
            string warning = Assert.Single(warnings);
            Assert.Contains(Path.Combine(folder, "short.png"), warning);
            Assert.Contains("40×20", warning);
            Assert.DoesNotContain('\n', warning);

            // kept as uint8 [3,H,W] holding the file's bytes
            var big = cache[0];
            Assert.Equal(TorchSharp.torch.ScalarType.Byte, big.dtype);
            Assert.Equal(new long[] { 3, 36, 40 }, big.shape);
            var image = ImageFile.Read(Path.Combine(folder, "big.png"));
            Assert.Equal(image.Pixels[(5 * 40 + 7) * 3 + 2], big[2, 5, 7].item<byte>());   // blue at (x 7, y 5)
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void Load_OfMissingFolder_ThrowsNamingTheFolder()
    {
        string missing = Path.Combine(Path.GetTempPath(), "kbsr-no-such-folder-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<DirectoryNotFoundException>(() => HrImageCache.Load([missing], 32, _ => { }));
        Assert.Contains(missing, e.Message);
    }

    [Fact]
    public void Load_WhenEveryImageIsTooSmall_ThrowsSayingSo()
    {
        string root = Directory.CreateTempSubdirectory("kbsr-cache-").FullName;
        try
        {
            ImageFile.WritePng(EvalTestData.Smooth(16, 16, seed: 1), Path.Combine(root, "tiny.png"));
            var warnings = new List<string>();
            var e = Assert.Throws<InvalidDataException>(() => HrImageCache.Load([root], 32, warnings.Add));
            Assert.Contains("32×32", e.Message);
            Assert.Contains(root, e.Message);
            Assert.Single(warnings);
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
