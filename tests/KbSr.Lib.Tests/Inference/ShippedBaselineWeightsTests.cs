using System.Security.Cryptography;
using System.Text.Json.Nodes;
using KbSr.Evaluation;
using KbSr.Inference;
using KbSr.Runtime;
using KbSr.Training;

namespace KbSr.Tests.Inference;

/// <summary>
/// The shipped Table-1 baselines: each file is the one its model card describes (SHA-256, preset), and it gives the
/// PSNR it gave when it was exported, to 0.01 dB, on the first two Set5 images at σ = 2.6 given the true kernel (IKC:
/// blind, its own estimate) —
/// in the fast forms (the tap form of the RGB output conv) and the literal ones. Expected values measured at export with
/// <c>kbsr eval --weights NAME=data/weights/MODEL-small.ckpt … --sets Set5 --sigmas 2.6 --max-images 2 --no-bicubic</c>
/// (per-image CSV, PSNR-Y).
/// </summary>
public sealed class ShippedBaselineWeightsTests
{
    [SkippableTheory]
    [InlineData("srcnn-cab", 31.30525931245769, 29.570657598963095)]
    [InlineData("srmd-nf", 32.82466994539621, 31.331506617542125)]
    [InlineData("srresnet-concat", 32.97833387265203, 31.71655032545737)]
    [InlineData("sftmd", 32.74859569383055, 31.309744712959976)]
    [InlineData("ikc", 24.889404844707002, 23.44985899798256)]      // blind: 7 iterations of its Predictor and Corrector
    public void Weights_MatchTheirCard_AndGiveTheirExportPsnr_InFastAndLiteralForms(string model, double image1, double image2)
    {
        string file = Path.Combine(TestSetup.RepoRoot, "data", "weights", $"{model}-small.ckpt");
        var card = JsonNode.Parse(File.ReadAllText(Path.ChangeExtension(file, ".json")))!;
        Assert.Equal(card["sha256"]!.GetValue<string>(), Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))));
        Assert.Equal($"{model}-small", card["preset"]!.GetValue<string>());

        using var checkpoint = Checkpoint.Read(file);
        Assert.Equal(card["configHash"]!.GetValue<string>(), checkpoint.Config.Hash());
        using var net = checkpoint.CreateModel(TorchSharp.torch.CPU);
        var options = new EvalOptions(["Set5"], [2.6], DataRoot: TestSetup.RequireDataRoot("Set5"), MaxImages: 2);
        IReadOnlyList<ImageScore> Scores() => new Evaluator(options).Run(SuperResolvers.For(net, checkpoint.Pca, model)).Images;
        FastForms.Enabled = false;
        IReadOnlyList<ImageScore> literal;
        try { literal = Scores(); }
        finally { FastForms.Enabled = true; }
        var fast = Scores();
        var expected = new Dictionary<string, double> { ["img_001"] = image1, ["img_002"] = image2 };
        Assert.Equal(2, fast.Count);
        foreach (var score in fast)
        {
            Assert.True(Math.Abs(score.PsnrY - expected[score.Image]) <= 0.01, $"{model} {score.Image}: {score.PsnrY:F4} dB now, {expected[score.Image]:F4} dB at export");
            var same = literal.Single(l => l.Image == score.Image);
            Assert.True(Math.Abs(score.PsnrY - same.PsnrY) <= 0.01, $"{model} {score.Image}: fast {score.PsnrY:F4} vs literal {same.PsnrY:F4} dB");
        }
    }
}
