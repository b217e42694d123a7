using System.Globalization;
using KbSr.Degradation;
using KbSr.Evaluation;
using KbSr.Imaging;
using static TorchSharp.torch;

namespace KbSr.Tests.Evaluation;

public class EvaluatorTests
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    [Fact]
    public void Evaluator_OnTwoImageSet_WritesTablesWhoseValuesEqualTheIndependentReference()
    {
        string root = EvalTestData.MakeRoot("Tiny", EvalTestData.GoldenImages());
        try
        {
            var options = new EvalOptions(["Tiny"], [0, 1.3], Scale: 4, DataRoot: root);
            var results = new Evaluator(options).Run([new BicubicUpsampler()]);
            var files = results.Write(Path.Combine(root, "out", "t"));
            Assert.Equal(new[] { "t.md", "t.csv", "t-images.csv" }, files.Select(Path.GetFileName));
            Assert.All(files, f => Assert.True(File.Exists(f), f));

            // Expectation: Golden/bicubic_reference.py, the whole protocol (mod-crop, blur, MATLAB bicubic ↓4, 8 bits,
            // bicubic ×4, Y, shave, PSNR, SSIM) in plain float64 Python. Here the two agree to 10⁻¹⁴. The tolerances leave
            // room for one value that another CPU's float32 sums round to the other side of a level boundary (the file
            // lists such LR values); that moves PSNR by < 10⁻³ dB, while a wrong cubic coefficient moves it by 0.12 dB.
            var expected = new Dictionary<(string Image, string Sigma), GoldenSigma>();
            foreach (var image in EvalTestData.Reference.Images)
                foreach (var g in image.Sigmas) expected[(image.Name, EvalResults.SigmaLabel(g.Sigma))] = g;

            var perImage = ReadCsv(files[2]);
            Assert.Equal(4, perImage.Count);
            foreach (var row in perImage)
            {
                Assert.Equal("bicubic", row["method"]);
                Assert.Equal("Tiny", row["set"]);
                var golden = expected[(row["image"], row["sigma"])];
                Assert.Equal(golden.PsnrY, double.Parse(row["psnr_y"], Inv), PsnrTolerance);
                Assert.Equal(golden.SsimY, double.Parse(row["ssim_y"], Inv), SsimTolerance);
            }

            var summary = ReadCsv(files[1]);
            Assert.Equal(2, summary.Count);
            foreach (var row in summary)
            {
                double mean = (expected[("a", row["sigma"])].PsnrY + expected[("b", row["sigma"])].PsnrY) / 2;
                Assert.Equal(mean, double.Parse(row["psnr_y"], Inv), PsnrTolerance);
                Assert.Equal("2", row["images"]);
            }

            string md = File.ReadAllText(files[0]);
            var means = results.Summary().Select(r => r.PsnrY.ToString("0.00", Inv)).ToList();
            Assert.Contains($"| bicubic | {means[0]} | {means[1]} |", md);
            Assert.Equal((expected[("a", "0.0")].PsnrY + expected[("b", "0.0")].PsnrY) / 2, results.Summary()[0].PsnrY, PsnrTolerance);
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    // How close the library's PSNR (dB) and SSIM must be to the float64 reference (see the test above).
    private const double PsnrTolerance = 1e-3, SsimTolerance = 1e-5;

    [Fact]
    public void Evaluator_WithLrDirWrittenBySynthesis_GivesIdenticalScoresToInMemorySynthesis()
    {
        string root = EvalTestData.MakeRoot("Tiny", EvalTestData.TwoImages());
        try
        {
            string lrRoot = Path.Combine(root, "lr");
            foreach (double sigma in new[] { 0.0, 1.3 })
            {
                string folder = TestSetSynthesis.WriteSet(Path.Combine(root, "Tiny"), lrRoot, "Tiny", 4, sigma);
                Assert.Equal(new[] { "a.png", "b.png" }, Directory.GetFiles(folder).Select(Path.GetFileName).Order());
            }
            var options = new EvalOptions(["Tiny"], [0, 1.3], DataRoot: root);
            var inMemory = new Evaluator(options).Run([new BicubicUpsampler()]).Images;
            var fromFiles = new Evaluator(options with { LrDir = lrRoot }).Run([new BicubicUpsampler()]).Images;
            Assert.Equal(4, inMemory.Count);
            Assert.Equal(inMemory.Select(r => (r.Image, r.Sigma, r.PsnrY, r.SsimY)),
                         fromFiles.Select(r => (r.Image, r.Sigma, r.PsnrY, r.SsimY)));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void Evaluator_WithGaussian8_LabelsG8AndAveragesOverTheEightSigmas()
    {
        string root = EvalTestData.MakeRoot("Tiny", EvalTestData.TwoImages()[0]);
        try
        {
            var g8 = new Evaluator(new EvalOptions(["Tiny"], [0.5], DataRoot: root, Gaussian8: true)).Run([new BicubicUpsampler()]);
            Assert.Equal([1.8, 2.0, 2.2, 2.4, 2.6, 2.8, 3.0, 3.2], g8.Images.Select(r => r.Sigma));
            var row = Assert.Single(g8.Summary());
            Assert.Equal("g8", row.SigmaLabel);
            Assert.Equal(1, row.Images);

            // the same eight σ evaluated one column each: their mean is the g8 cell
            var each = new Evaluator(new EvalOptions(["Tiny"], [1.8, 2.0, 2.2, 2.4, 2.6, 2.8, 3.0, 3.2], DataRoot: root))
                .Run([new BicubicUpsampler()]).Summary();
            Assert.Equal(8, each.Count);
            Assert.Equal(each.Average(r => r.PsnrY), row.PsnrY, 10);
            Assert.Equal(each.Average(r => r.SsimY), row.SsimY, 10);
            Assert.True(each.Min(r => r.PsnrY) < row.PsnrY && row.PsnrY < each.Max(r => r.PsnrY));
            Assert.Contains("| method | Gaussian8 |", g8.ToMarkdown());
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void Evaluator_WithMissingLrFile_ThrowsNamingTheFile()
    {
        string root = EvalTestData.MakeRoot("Tiny", EvalTestData.TwoImages());
        try
        {
            string lrRoot = Path.Combine(root, "lr");
            string folder = TestSetSynthesis.WriteSet(Path.Combine(root, "Tiny"), lrRoot, "Tiny", 4, 1.3);
            File.Delete(Path.Combine(folder, "b.png"));
            var options = new EvalOptions(["Tiny"], [1.3], DataRoot: root, LrDir: lrRoot);
            var e = Assert.Throws<EvaluationStoppedException>(() => new Evaluator(options).Run([new BicubicUpsampler()]));
            Assert.IsType<FileNotFoundException>(e.InnerException);
            Assert.Contains(Path.Combine(folder, "b.png"), e.Message);
            Assert.Contains("kbsr synth", e.Message);
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void Evaluator_WithLrFileOfWrongSize_ThrowsNamingTheFileAndBothSizes()
    {
        string root = EvalTestData.MakeRoot("Tiny", EvalTestData.TwoImages());
        try
        {
            string lrRoot = Path.Combine(root, "lr");
            string folder = TestSetSynthesis.WriteSet(Path.Combine(root, "Tiny"), lrRoot, "Tiny", 4, 1.3);
            string bad = Path.Combine(folder, "a.png");
            ImageFile.WritePng(EvalTestData.Smooth(10, 10, seed: 3), bad);   // a is 48×40 → LR should be 12×10
            var options = new EvalOptions(["Tiny"], [1.3], DataRoot: root, LrDir: lrRoot);
            var e = Assert.Throws<EvaluationStoppedException>(() => new Evaluator(options).Run([new BicubicUpsampler()]));
            Assert.IsType<InvalidDataException>(e.InnerException);
            Assert.Contains(bad, e.Message);
            Assert.Contains("10×10", e.Message);
            Assert.Contains("12×10", e.Message);
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void Evaluator_WithMissingSet_ThrowsNamingTheSetAndTheSetsThere()
    {
        string root = EvalTestData.MakeRoot("Tiny", EvalTestData.TwoImages()[0]);
        try
        {
            var e = Assert.Throws<DirectoryNotFoundException>(() =>
                new Evaluator(new EvalOptions(["Set5"], [0], DataRoot: root)).Run([new BicubicUpsampler()]));
            Assert.Contains("'Set5'", e.Message);
            Assert.Contains("Tiny", e.Message);
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void Evaluator_WithKernelEstimatingMethod_ReportsKernelErrorsAgainstTheTrueKernel()
    {
        string root = EvalTestData.MakeRoot("Tiny", EvalTestData.TwoImages()[0]);
        try
        {
            var results = new Evaluator(new EvalOptions(["Tiny"], [0, 1.3], DataRoot: root)).Run([new DeltaKernelMethod()]);
            var at0 = results.Images.Single(r => r.Sigma == 0);
            var at13 = results.Images.Single(r => r.Sigma == 1.3);
            // the method always answers a delta: exact at σ = 0; at σ = 1.3, Σ|δ − g| = 2(1 − g_centre)
            Assert.Equal(0.0, at0.KernelL1!.Value, 12);
            Assert.Equal(0.0, at0.KernelMse!.Value, 12);
            double centre = GaussianCentre(1.3, 21);
            Assert.Equal(2 * (1 - centre), at13.KernelL1!.Value, 6);
            Assert.Equal([at13.PsnrY, at13.PsnrY], at13.StagePsnrY!);   // both "stages" are the final SR
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void Evaluator_WithSaveImagesTo_WritesOnePngPerImageAndSigma()
    {
        string root = EvalTestData.MakeRoot("Tiny", EvalTestData.TwoImages());
        try
        {
            string saved = Path.Combine(root, "sr");
            new Evaluator(new EvalOptions(["Tiny"], [1.3], DataRoot: root)) { SaveImagesTo = saved }.Run([new BicubicUpsampler()]);
            string folder = Path.Combine(saved, "bicubic", "Tiny", "x4_sigma1.3");
            var files = Directory.GetFiles(folder).Select(Path.GetFileName).Order().ToArray();
            Assert.Equal(new[] { "a.png", "b.png" }, files);
            var a = ImageFile.Read(Path.Combine(folder, "a.png"));
            Assert.Equal((48, 40), (a.Width, a.Height));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void Evaluator_WithMaxImages_EvaluatesTheFirstImagesAndReportsEachStep()
    {
        string root = EvalTestData.MakeRoot("Tiny", EvalTestData.TwoImages());
        try
        {
            var steps = new List<IReadOnlyList<ImageScore>>();
            var results = new Evaluator(new EvalOptions(["Tiny"], [0, 2.6], DataRoot: root, MaxImages: 1)) { OnImage = steps.Add }
                .Run([new BicubicUpsampler(), new DeltaKernelMethod()]);
            Assert.Equal(4, results.Images.Count);
            Assert.All(results.Images, r => Assert.Equal("a", r.Image));
            Assert.Equal(2, steps.Count);                                  // one call per image × σ, with both methods
            Assert.All(steps, s => Assert.Equal(new[] { "bicubic", "delta" }, s.Select(r => r.Method)));
            Assert.Throws<ArgumentException>(() => new Evaluator(new EvalOptions(["Tiny"], [0], DataRoot: root)).Run([]));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void Evaluator_WithCenterCrop_ScoresTheCentredWindow_AsIfThatWereTheImage()
    {
        // a is 50×42 → mod-crop 48×40 → its centred 24×24 window starts at (12, 8); b is 46×39 → 44×36 → (10, 6).
        var images = EvalTestData.TwoImages();
        string root = EvalTestData.MakeRoot("Two", images);
        string cropped = EvalTestData.MakeRoot("Two", ("a", images[0].Image.Crop(12, 8, 24, 24)), ("b", images[1].Image.Crop(10, 6, 24, 24)));
        try
        {
            var windowed = new Evaluator(new EvalOptions(["Two"], [1.3], Scale: 4, DataRoot: root, CenterCrop: 24)).Run([new BicubicUpsampler()]);
            var whole = new Evaluator(new EvalOptions(["Two"], [1.3], Scale: 4, DataRoot: cropped)).Run([new BicubicUpsampler()]);
            Assert.Equal(whole.ImagesCsv(), windowed.ImagesCsv());
            var full = new Evaluator(new EvalOptions(["Two"], [1.3], Scale: 4, DataRoot: root)).Run([new BicubicUpsampler()]);
            Assert.NotEqual(full.Images[0].PsnrY, windowed.Images[0].PsnrY);
            // A window larger than a side keeps that side whole: 44 wide → 44 × 36 for b, so the same as no crop.
            var wide = new Evaluator(new EvalOptions(["Two"], [1.3], Scale: 4, DataRoot: root, CenterCrop: 48)).Run([new BicubicUpsampler()]);
            Assert.Equal(full.Images[1].PsnrY, wide.Images[1].PsnrY);
            Assert.Contains("--center-crop 26", Assert.Throws<ArgumentException>(() => new EvalOptions(["Two"], [1.3], CenterCrop: 26).Validate()).Message);
            Assert.Contains("to 8192", Assert.Throws<ArgumentException>(() => new EvalOptions(["Two"], [1.3], CenterCrop: 100_000).Validate()).Message);
            Assert.Contains("--lr-dir", Assert.Throws<ArgumentException>(() => new EvalOptions(["Two"], [1.3], LrDir: root, CenterCrop: 24).Validate()).Message);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
            Directory.Delete(cropped, recursive: true);
        }
    }

    [Fact]
    public void Evaluator_Run_LeavesNoLiveTensors()
    {
        string root = EvalTestData.MakeRoot("Tiny", EvalTestData.TwoImages());
        try
        {
            var evaluator = new Evaluator(new EvalOptions(["Tiny"], [0, 1.3], DataRoot: root));
            evaluator.Run([new BicubicUpsampler(), new DeltaKernelMethod()]);        // warm caches
            long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            evaluator.Run([new BicubicUpsampler(), new DeltaKernelMethod()]);
            Assert.True(TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount == before,
                "evaluation leaked tensors: " + TorchSharp.DisposeScopeManager.Statistics);
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void BicubicUpsampler_OfConstantImage_IsTheSameConstantAtScaleTimesTheSize()
    {
        using var lr = full(1, 3, 5, 7, 0.25f);
        using var result = new BicubicUpsampler().SuperResolve(lr, 3);
        Assert.Equal(new long[] { 1, 3, 15, 21 }, result.Sr.shape);
        Assert.True(result.Sr.sub(0.25f).abs().max().item<float>() < 1e-6f);
        Assert.Null(result.Kernel);
        Assert.Equal("bicubic", new BicubicUpsampler().Name);
    }

    private static double GaussianCentre(double sigma, int size)
    {
        int r = size / 2;
        double total = 0;
        for (int y = -r; y <= r; y++)
            for (int x = -r; x <= r; x++)
                total += Math.Exp(-(x * x + y * y) / (2 * sigma * sigma));
        return 1 / total;
    }

    internal static List<Dictionary<string, string>> ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        return lines.Skip(1).Where(l => l.Length > 0).Select(l =>
        {
            var cells = l.Split(',');
            Assert.Equal(header.Length, cells.Length);
            return header.Zip(cells).ToDictionary(p => p.First, p => p.Second);
        }).ToList();
    }

    /// <summary>A blind method stub: bicubic SR, always the delta kernel, two identical stages.</summary>
    private sealed class DeltaKernelMethod : ISuperResolver
    {
        public string Name => "delta";

        public SrResult SuperResolve(Tensor lr, int scale)
        {
            var sr = Bicubic.Resize(lr, scale);
            var kernel = zeros(21, 21);
            kernel[10, 10] = 1f;
            return new SrResult(sr, kernel, [sr.clone(), sr.clone()]);
        }
    }
}
