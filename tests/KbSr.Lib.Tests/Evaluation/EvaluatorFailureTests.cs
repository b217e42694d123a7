using KbSr.Evaluation;
using KbSr.Imaging;

namespace KbSr.Tests.Evaluation;

/// <summary>One bad image never costs the evaluations already finished; it is named, and can be skipped.</summary>
public sealed class EvaluatorFailureTests : IDisposable
{
    private readonly string _root;

    public EvaluatorFailureTests()
    {
        // Sorted order: a.png, b.png (good), c.png (truncated), d.png (good), e.png (too small for the protocol).
        var (a, b) = (EvalTestData.TwoImages()[0], EvalTestData.TwoImages()[1]);
        _root = EvalTestData.MakeRoot("Mixed", a, b, ("d", EvalTestData.Smooth(44, 40, seed: 3)), ("e", EvalTestData.Smooth(16, 16, seed: 4)));
        byte[] png = File.ReadAllBytes(Path.Combine(_root, "Mixed", "a.png"));
        File.WriteAllBytes(Path.Combine(_root, "Mixed", "c.png"), png[..(png.Length / 2)]);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Bad => Path.Combine(_root, "Mixed", "c.png");

    [Fact]
    public void Run_StopsAtABadImage_NamingIt_AndCarriesTheEvaluationsFinishedBeforeIt()
    {
        var options = new EvalOptions(["Mixed"], [0, 1.3], Scale: 4, DataRoot: _root);
        var e = Assert.Throws<EvaluationStoppedException>(() => new Evaluator(options).Run([new BicubicUpsampler()]));
        Assert.Contains(Bad, e.Message);
        Assert.Equal(Bad, e.At.File);
        Assert.Equal(["a", "a", "b", "b"], e.Partial.Images.Select(r => r.Image));   // both σ of a and b
        var files = e.Partial.Write(Path.Combine(_root, "out", "partial"));
        Assert.Contains("**Incomplete**", File.ReadAllText(files[0]));
        Assert.Contains("c.png", File.ReadAllText(Path.Combine(_root, "out", "partial-skipped.csv")));
        Assert.Equal(5, File.ReadAllLines(files[2]).Length);   // header + the 4 finished rows
    }

    [Fact]
    public void Run_WithKeepGoing_SkipsAndListsBadImages_AndAveragesOnlyTheGoodOnes()
    {
        var options = new EvalOptions(["Mixed"], [1.3], Scale: 4, DataRoot: _root);
        var skipped = new List<SkippedImage>();
        var results = new Evaluator(options) { KeepGoing = true, OnSkipped = skipped.Add }.Run([new BicubicUpsampler()]);
        Assert.Equal(["a", "b", "d"], results.Images.Select(r => r.Image));
        Assert.Equal(["c.png", "e.png"], results.Skipped.Select(s => Path.GetFileName(s.File)));
        Assert.Equal(results.Skipped, skipped);
        Assert.Equal(3, Assert.Single(results.Summary()).Images);
        Assert.Contains("truncated", results.Skipped[0].Reason);
        Assert.DoesNotContain('\0', results.Skipped[0].Reason);
        // The small image names itself and both sizes: 16×16 against the 19×19 the 11×11 SSIM window needs after a 4-pixel shave.
        Assert.Contains("e.png: 16×16", results.Skipped[1].Reason);
        Assert.Contains("at least 19×19", results.Skipped[1].Reason);
        string md = results.ToMarkdown();
        Assert.Contains("Skipped 2 image(s)", md);
        Assert.Contains("Mixed/e.png", md);
    }

    [Fact]
    public void MinHrSide_IsSetByTheKernelOrTheSsimWindowAfterTheShave()
    {
        Assert.Equal(19, new EvalOptions(["x"], [1], Scale: 4, KernelSize: 21).MinHrSide);       // 11 + 2·4
        Assert.Equal(32, new EvalOptions(["x"], [1], Scale: 2, KernelSize: 63).MinHrSide);       // 63 / 2 + 1
    }

    [Theory]
    [InlineData(-0.5)]
    [InlineData(1e6)]
    [InlineData(double.NaN)]
    public void Validate_RejectsASigmaOutsideTheSaneRange(double sigma)
    {
        var e = Assert.Throws<ArgumentException>(() => new EvalOptions(["Set5"], [sigma]).Validate());
        Assert.Contains("outside 0–50", e.Message);
        Assert.Contains("--max-images -1", Assert.Throws<ArgumentException>(() => new EvalOptions(["Set5"], [1], MaxImages: -1).Validate()).Message);
    }
}
