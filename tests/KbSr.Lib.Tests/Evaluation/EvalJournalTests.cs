using KbSr.Degradation;
using KbSr.Evaluation;
using static TorchSharp.torch;

namespace KbSr.Tests.Evaluation;

/// <summary>An interrupted evaluation resumes from its journal to exactly the results of an uninterrupted run,
/// re-evaluating only what is missing; a journal of another run is refused, and none is lost silently.</summary>
public sealed class EvalJournalTests : IDisposable
{
    private readonly string _root = EvalTestData.MakeRoot("Two", [.. EvalTestData.TwoImages(), ("c", EvalTestData.Smooth(40, 44, seed: 5))]);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private EvalOptions Options(params double[] sigmas) => new(["Two"], sigmas, Scale: 4, DataRoot: _root);

    private string Prefix => Path.Combine(_root, "out", "table");

    private static EvalFingerprint Fingerprint(EvalOptions options, params ISuperResolver[] methods) =>
        EvalFingerprint.For(options, methods.Select(m => m.Name), []);

    [Fact]
    public void AKilledRun_Resumed_GivesTheUninterruptedResults_AndEvaluatesOnlyWhatWasMissing()
    {
        var options = Options(1.3, 2.6);
        var expected = new Evaluator(options).Run([new BicubicUpsampler(), new Blind()]);

        // The blind method "dies" on its 4th call (image b, σ 2.6): 3 image × σ are in the journal by then.
        var dying = new Blind { FailOnCall = 4 };
        using (var journal = EvalJournal.Open(Prefix, Fingerprint(options, new BicubicUpsampler(), dying), resume: false))
            Assert.Throws<EvaluationStoppedException>(() => new Evaluator(options) { Journal = journal }.Run([new BicubicUpsampler(), dying]));
        Assert.Equal(3 * 2, File.ReadAllLines(EvalJournal.PathFor(Prefix)).Count(l => l.StartsWith("bicubic,", StringComparison.Ordinal) || l.StartsWith("blind,", StringComparison.Ordinal)));

        var second = new Blind();
        var progress = 0;
        EvalResults resumed;
        using (var journal = EvalJournal.Open(Prefix, Fingerprint(options, new BicubicUpsampler(), second), resume: true))
        {
            Assert.Equal(3, journal.Restored);
            resumed = new Evaluator(options) { Journal = journal, OnImage = _ => progress++ }.Run([new BicubicUpsampler(), second]);
            journal.Complete();
        }
        Assert.Equal(3, second.Calls);                  // b at σ 2.6 and both σ of c: 6 image × σ in all, 3 restored
        Assert.Equal(6, progress);                      // progress still counts the restored ones
        Assert.Equal(expected.ImagesCsv(), resumed.ImagesCsv());
        Assert.Equal(expected.SummaryCsv(), resumed.SummaryCsv());
        Assert.Equal(expected.ToMarkdown(), resumed.ToMarkdown());
        Assert.False(File.Exists(EvalJournal.PathFor(Prefix)));
    }

    /// <summary>A second run on the prefix would rewrite the journal by rename and leave the first appending to the
    /// replaced file: it is refused while the first is open, and the first's rows all reach the file on disk.</summary>
    [Fact]
    public void ASecondRunOnTheSamePrefix_IsRefusedWhileTheFirstRuns_AndTheFirstsRowsAreKept()
    {
        var options = Options(1.3);
        var methods = new ISuperResolver[] { new BicubicUpsampler(), new Blind() };
        string path = EvalJournal.PathFor(Prefix);
        using (var first = EvalJournal.Open(Prefix, Fingerprint(options, methods), resume: false))
        {
            var refused = Assert.Throws<IOException>(() => EvalJournal.Open(Prefix, Fingerprint(options, methods), resume: true));
            Assert.Contains($"{path}: process {Environment.ProcessId} is evaluating into this journal", refused.Message);
            new Evaluator(options) { Journal = first }.Run(methods);
        }
        Assert.False(File.Exists(path + ".lock"));          // released with the journal
        using (var resumed = EvalJournal.Open(Prefix, Fingerprint(options, methods), resume: true))
            Assert.Equal(3, resumed.Restored);              // a, b and c at σ 1.3, every one the first run wrote
    }

    [Fact]
    public void ATornLastLine_AndAnImageSigmaMissingAMethod_AreEvaluatedAgain()
    {
        var options = Options(1.3);
        var methods = new ISuperResolver[] { new BicubicUpsampler(), new Blind() };
        var expected = new Evaluator(options).Run(methods);
        using (var journal = EvalJournal.Open(Prefix, Fingerprint(options, methods), resume: false))
            new Evaluator(options) { Journal = journal }.Run(methods);
        // Keep a (both rows), b's bicubic row only, and half of c's first line with no newline: a kill mid-write.
        string path = EvalJournal.PathFor(Prefix);
        var lines = File.ReadAllLines(path).ToList();
        int header = lines.IndexOf(ImageScoreCsv.Header);
        string torn = lines[header + 5][..20];
        File.WriteAllText(path, string.Join("\n", lines.Take(header + 4)) + "\n" + torn);

        var blind = new Blind();
        using var resumed = EvalJournal.Open(Prefix, Fingerprint(options, methods[0], blind), resume: true);
        Assert.Equal(1, resumed.Restored);
        var results = new Evaluator(options) { Journal = resumed }.Run([methods[0], blind]);
        Assert.Equal(2, blind.Calls);
        Assert.Equal(expected.ImagesCsv(), results.ImagesCsv());
        Assert.DoesNotContain(torn + "\n", File.ReadAllText(path));   // the rewrite dropped the torn line
    }

    /// <summary>Journals written before the kernel_spread column (9 fields a row) and before stage_kernel_l1 (10) still
    /// resume, and are rewritten in the current layout.</summary>
    [Theory]
    [InlineData(9)]
    [InlineData(10)]
    public void AJournalOfTheOlderLayout_Resumes_AndIsRewrittenInTheCurrentOne(int fields)
    {
        var options = Options(1.3);
        var methods = new ISuperResolver[] { new BicubicUpsampler(), new Blind() };
        using (var journal = EvalJournal.Open(Prefix, Fingerprint(options, methods), resume: false))
            new Evaluator(options) { Journal = journal }.Run(methods);
        string path = EvalJournal.PathFor(Prefix);
        var lines = File.ReadAllLines(path).ToList();
        int header = lines.IndexOf(ImageScoreCsv.Header);
        string Cut(string line) => string.Join(",", line.Split(',').Take(fields));   // no quoted commas in these rows
        var older = lines.Take(header).Append(Cut(ImageScoreCsv.Header)).Concat(lines.Skip(header + 1).Select(Cut));
        Assert.Contains(Cut(ImageScoreCsv.Header), new[] { ImageScoreCsv.HeaderWithoutSpread, ImageScoreCsv.HeaderWithoutStageKernels });
        File.WriteAllText(path, string.Join("\n", older) + "\n");

        using var resumed = EvalJournal.Open(Prefix, Fingerprint(options, methods), resume: true);
        Assert.Equal(3, resumed.Restored);
        var rewritten = File.ReadAllLines(path);
        Assert.Contains(ImageScoreCsv.Header, rewritten);
        Assert.DoesNotContain(Cut(ImageScoreCsv.Header), rewritten);
    }

    [Fact]
    public void AJournalOfAnotherRun_IsRefused_NamingWhatDiffers_AndKeptIntact()
    {
        var options = Options(1.3, 2.6);
        using (var journal = EvalJournal.Open(Prefix, Fingerprint(options, new BicubicUpsampler()), resume: false))
            journal.Append([new ImageScore("bicubic", "Two", 1.3, "a", 30, 0.9)]);
        string path = EvalJournal.PathFor(Prefix);
        string before = File.ReadAllText(path);

        var e = Assert.Throws<IOException>(() => EvalJournal.Open(Prefix, Fingerprint(Options(1.3), new BicubicUpsampler()), resume: true));
        Assert.Contains("sigmas: 1.3, 2.6 ≠ 1.3", e.Message);
        var other = Assert.Throws<IOException>(() => EvalJournal.Open(Prefix, Fingerprint(options, new BicubicUpsampler(), new Blind()), resume: true));
        Assert.Contains("methods: bicubic ≠ bicubic | blind", other.Message);
        var fresh = Assert.Throws<IOException>(() => EvalJournal.Open(Prefix, Fingerprint(options, new BicubicUpsampler()), resume: false));
        Assert.Contains("--resume", fresh.Message);
        Assert.Equal(before, File.ReadAllText(path));
    }

    [Fact]
    public void TheFingerprint_HoldsEachWeightFilesHash_SoRetrainedWeightsAreNotMixedIn()
    {
        string weights = Path.Combine(_root, "net.ckpt");
        File.WriteAllBytes(weights, [1, 2, 3]);
        var options = Options(1.3);
        var first = EvalFingerprint.For(options, ["net"], [("net", weights)]);
        // SHA-256 of the bytes 01 02 03 (FIPS 180-4; e.g. `printf '\x01\x02\x03' | sha256sum`).
        Assert.Contains(first.Fields, f => f.Key == "sha256 net" && f.Value == "039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81");
        File.WriteAllBytes(weights, [1, 2, 4]);
        var differences = first.Differences(EvalFingerprint.For(options, ["net"], [("net", weights)]));
        Assert.StartsWith("sha256 net: 039058c6", Assert.Single(differences));
    }

    [Fact]
    public void ImageScoreCsv_RoundTripsEveryFieldExactly_QuotedNamesAndMissingValuesIncluded()
    {
        var row = new ImageScore("KB-SR, \"small\"", "Set14", 0.1 + 0.2, "img,1", Math.PI, 1 / 3.0, null, 1e-9, [27.123456789012345, 28], 2.0 / 3);
        string line = ImageScoreCsv.Format(row, exact: true);
        var back = ImageScoreCsv.Parse(line);
        Assert.Equal(row with { StagePsnrY = null }, back with { StagePsnrY = null });
        Assert.Equal(row.StagePsnrY, back.StagePsnrY);
        Assert.Equal(0.30000000000000004, back.Sigma);
        Assert.Contains("11 comma-separated fields", Assert.Throws<FormatException>(() => ImageScoreCsv.Parse("a,b,1")).Message);
        // Lines of the older layouts still read: 10 fields, without stage kernel errors; 9 (the shipped -images.csv
        // files), without a kernel spread either.
        string ten = line[..line.LastIndexOf(',')], nine = ten[..ten.LastIndexOf(',')];
        Assert.Equal(row with { StagePsnrY = null }, ImageScoreCsv.Parse(ten) with { StagePsnrY = null });
        Assert.Equal(row with { StagePsnrY = null, KernelSpread = null }, ImageScoreCsv.Parse(nine) with { StagePsnrY = null });
    }

    /// <summary>A journal line holding NaN or ±∞ where a table needs a number is refused on resume, naming the file and
    /// line; a PSNR of +∞ (an SR image identical to the HR one) is a PSNR and reads back.</summary>
    [Theory]
    [InlineData("ssim_y", "NaN")]
    [InlineData("psnr_y", "NaN")]
    [InlineData("psnr_y", "-Infinity")]
    [InlineData("kernel_l1", "Infinity")]
    public void AJournalWithANonFiniteValue_IsRefusedOnResume(string field, string value)
    {
        var options = Options(1.3);
        var methods = new ISuperResolver[] { new BicubicUpsampler(), new Blind() };
        using (var journal = EvalJournal.Open(Prefix, Fingerprint(options, methods), resume: false))
            new Evaluator(options) { Journal = journal }.Run(methods);
        string path = EvalJournal.PathFor(Prefix);
        var lines = File.ReadAllLines(path);
        int column = ImageScoreCsv.Header.Split(',').ToList().IndexOf(field);
        int row = Array.FindIndex(lines, l => l.StartsWith("blind,", StringComparison.Ordinal));
        var fields = lines[row].Split(',');
        fields[column] = value;
        lines[row] = string.Join(",", fields);
        File.WriteAllLines(path, lines);
        var e = Assert.Throws<IOException>(() => EvalJournal.Open(Prefix, Fingerprint(options, methods), resume: true).Dispose());
        Assert.Contains($"line {row + 1}", e.Message);
        Assert.Contains($"{field} '{value}'", e.Message);

        fields[column] = field == "psnr_y" ? "Infinity" : "0.5";   // +∞ is a PSNR
        lines[row] = string.Join(",", fields);
        File.WriteAllLines(path, lines);
        using var resumed = EvalJournal.Open(Prefix, Fingerprint(options, methods), resume: true);
        Assert.Equal(3, resumed.Restored);   // the set's three images at σ 1.3
    }

    /// <summary>A method whose SR image holds NaN stops the evaluation naming the method and the image (with
    /// --keep-going: the image is skipped), and no NaN reaches the journal.</summary>
    [Fact]
    public void AMethodGivingNaN_StopsTheRunNamingItAndTheImage_AndNothingNonFiniteIsWritten()
    {
        var options = Options(1.3);
        var methods = new ISuperResolver[] { new BicubicUpsampler(), new Blind { NaNOnCall = 2 } };
        using (var journal = EvalJournal.Open(Prefix, Fingerprint(options, methods), resume: false))
        {
            var e = Assert.Throws<EvaluationStoppedException>(() => new Evaluator(options) { Journal = journal }.Run(methods));
            Assert.Contains("blind: its SR image of Two/b at σ 1.3 holds NaN", e.Message);
        }
        Assert.DoesNotContain("NaN", File.ReadAllText(EvalJournal.PathFor(Prefix)));
        var kept = new Evaluator(options) { KeepGoing = true }.Run([new BicubicUpsampler(), new Blind { NaNOnCall = 2 }]);
        Assert.Equal(["b"], kept.Skipped.Select(s => Path.GetFileNameWithoutExtension(s.File)));
    }

    /// <summary>A blind method stub: bicubic SR and a delta kernel; counts calls, and can fail on one of them.</summary>
    private sealed class Blind : ISuperResolver
    {
        public string Name => "blind";

        public int Calls { get; private set; }

        public int FailOnCall { get; init; }

        public int NaNOnCall { get; init; }

        public SrResult SuperResolve(Tensor lr, int scale)
        {
            if (++Calls == FailOnCall) throw new InvalidOperationException("the machine went away");
            var kernel = zeros(21, 21);
            kernel[10, 10] = 1f;
            var sr = Bicubic.Resize(lr, scale);
            if (Calls == NaNOnCall) sr[0, 0, 3, 3] = tensor(float.NaN);
            return new SrResult(sr, kernel, [sr.clone()]);
        }
    }
}
