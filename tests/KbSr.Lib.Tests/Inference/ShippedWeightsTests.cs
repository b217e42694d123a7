using KbSr.Evaluation;
using KbSr.Inference;
using KbSr.Runtime;
using KbSr.Training;

namespace KbSr.Tests.Inference;

/// <summary>
/// The shipped Small weights give the same PSNR after the speed work as before it, to 0.01 dB, on the first two Set5 images
/// (img_001, img_002) at σ = 1.3 and 2.6. Expected values were measured with the code before the change (commit 7afc5fd):
/// <c>kbsr eval --weights data/weights/kbsr-small.ckpt --sets Set5 --sigmas 1.3,2.6 --max-images 2 --no-bicubic</c>
/// (per-image CSV, PSNR-Y). The same images also go through the literal forms in this process, as a second check.
/// </summary>
public sealed class ShippedWeightsTests
{
    private static readonly Dictionary<(string Image, double Sigma), double> BeforeChange = new()
    {
        [("img_001", 1.3)] = 31.88491927415881, [("img_002", 1.3)] = 30.13921221843306,
        [("img_001", 2.6)] = 31.73565142531432, [("img_002", 2.6)] = 29.631257561311884,
    };

    [SkippableFact]
    public void SmallWeights_TwoSet5Images_SamePsnrAsBeforeAndAsTheLiteralForms()
    {
        using var checkpoint = Checkpoint.Read(Path.Combine(TestSetup.RepoRoot, "data", "weights", "kbsr-small.ckpt"));
        using var net = checkpoint.CreateNetwork(TorchSharp.torch.CPU);
        var options = new EvalOptions(["Set5"], [1.3, 2.6], DataRoot: TestSetup.RequireDataRoot("Set5"), MaxImages: 2);
        IReadOnlyList<ImageScore> Scores() => new Evaluator(options).Run([new KbSrSuperResolver(net, "Small")]).Images;
        FastForms.Enabled = false;
        IReadOnlyList<ImageScore> literal;
        try { literal = Scores(); }
        finally { FastForms.Enabled = true; }
        var fast = Scores();
        Assert.Equal(BeforeChange.Count, fast.Count);
        foreach (var score in fast)
        {
            double before = BeforeChange[(score.Image, score.Sigma)];
            Assert.True(Math.Abs(score.PsnrY - before) <= 0.01, $"{score.Image} σ {score.Sigma}: {score.PsnrY:F4} dB now, {before:F4} dB before");
            var same = literal.Single(l => l.Image == score.Image && l.Sigma == score.Sigma);
            Assert.True(Math.Abs(score.PsnrY - same.PsnrY) <= 0.01, $"{score.Image} σ {score.Sigma}: fast {score.PsnrY:F4} vs literal {same.PsnrY:F4} dB");
        }
    }
}
