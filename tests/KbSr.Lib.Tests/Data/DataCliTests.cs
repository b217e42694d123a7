using System.Diagnostics;
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
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string arg in new[] { Path.Combine(AppContext.BaseDirectory, "kbsr.dll"), "data", "verify", "Set5", "--data", root })
                info.ArgumentList.Add(arg);
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = await process.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try { await process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { process.Kill(entireProcessTree: true); throw; }
            Assert.True(process.ExitCode == 1, $"exit {process.ExitCode}\n{stdout}\n{await stderr}");
            Assert.Contains("Set5: FAILED (4/5 images", stdout);
            Assert.Contains("4 image files, expected 5", stdout);
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
