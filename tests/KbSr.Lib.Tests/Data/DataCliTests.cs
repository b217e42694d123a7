using KbSr.Tests.Cli;
using KbSr.Imaging;
using KbSr.Tests.Imaging;

namespace KbSr.Tests.Data;

public class DataCliTests
{
    [Fact]
    public async Task KbsrDataVerify_OfIncompleteSet_ExitsNonZeroAndSaysWhy()
    {
        // A data root whose Set5 holds only 4 generated images: `kbsr data verify` must fail, naming the count.
        string root = TestImages.TempFolder();
        try
        {
            string set5 = Directory.CreateDirectory(Path.Combine(root, "Set5")).FullName;
            for (int i = 1; i <= 4; i++) ImageFile.WritePng(TestImages.Random(4, 4, seed: i), Path.Combine(set5, $"img_{i:D3}.png"));
            var (code, stdout, stderr) = await CliProcess.RunAsync(["data", "verify", "Set5", "--data", root], 300);
            Assert.True(code == 1, $"exit {code}\n{stdout}\n{stderr}");
            Assert.Contains("Set5: FAILED (4/5 images", stdout);
            Assert.Contains("4 image files, expected 5", stdout);
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
