using KbSr.Degradation;
using KbSr.Evaluation;
using KbSr.Imaging;
using static TorchSharp.torch;

namespace KbSr.Tests.Evaluation;

public class TestSetSynthesisTests
{
    [Fact]
    public void TrueKernel_AtSigmaZero_IsACentredDelta()
    {
        using var k = TestSetSynthesis.TrueKernel(0);
        Assert.Equal(new long[] { 21, 21 }, k.shape);
        Assert.Equal(1f, k[10, 10].item<float>());
        Assert.Equal(1f, k.sum().item<float>());
        Assert.Equal(1L, k.count_nonzero().item<long>());
    }

    [Fact]
    public void TrueKernel_AtPositiveSigma_IsTheNormalisedGaussian()
    {
        using var k = TestSetSynthesis.TrueKernel(1.3, kernelSize: 7);
        Assert.Equal(new long[] { 7, 7 }, k.shape);
        // hand: exp(−(x²+y²)/2σ²) on −3…3, normalised; compare centre and corner
        double total = 0;
        for (int y = -3; y <= 3; y++) for (int x = -3; x <= 3; x++) total += Math.Exp(-(x * x + y * y) / (2 * 1.69));
        Assert.Equal(1 / total, k[3, 3].item<float>(), 6);
        Assert.Equal(Math.Exp(-18 / (2 * 1.69)) / total, k[0, 0].item<float>(), 6);
    }

    [Fact]
    public void MakeLr_AtSigmaZero_EqualsPlainBicubicRoundedTo8Bits()
    {
        using var scope = NewDisposeScope();
        var hr = EvalTestData.Smooth(48, 40, seed: 5).ToTensor();
        var lr = TestSetSynthesis.MakeLr(hr, 0, 4);
        Assert.Equal(new long[] { 1, 3, 10, 12 }, lr.shape);
        var expected = EvalTestData.QuantizeToEven(Bicubic.Resize(hr.unsqueeze(0), 0.25));
        Assert.True(Same(lr, expected), "σ = 0 LR differs from quantised plain bicubic");
        // and the delta true kernel through eq. 1 gives the very same image
        Assert.True(Same(lr, Degrader.Degrade(hr.unsqueeze(0), TestSetSynthesis.TrueKernel(0), 4)));
    }

    [Fact]
    public void MakeLr_OfTheReferencePatterns_EqualsTheIndependentMatlabBicubicLr()
    {
        // Golden/bicubic_reference.py computes the LR (blur, MATLAB imresize 1/4, 8 bits) in float64 Python.
        foreach (var (golden, (_, image)) in EvalTestData.Reference.Images.Zip(EvalTestData.GoldenImages()))
            foreach (var g in golden.Sigmas)
            {
                using var scope = NewDisposeScope();
                var lr = TestSetSynthesis.MakeLr(image.ModCrop(4).ToTensor(), g.Sigma, 4);
                Assert.Equal(new long[] { 1, 3, g.LrHeight, g.LrWidth }, lr.shape);
                int[] levels = lr.mul(255).round().to_type(ScalarType.Int32).contiguous().data<int>().ToArray();
                var ambiguous = g.LrAmbiguous.ToHashSet();
                var wrong = Enumerable.Range(0, levels.Length)
                    .Where(i => levels[i] != g.Lr[i] && !(ambiguous.Contains(i) && Math.Abs(levels[i] - g.Lr[i]) == 1)).ToList();
                Assert.True(wrong.Count == 0, $"{golden.Name} σ={g.Sigma}: {wrong.Count} LR values differ from the reference, " +
                    $"first at index {wrong.FirstOrDefault()}: {levels[wrong.FirstOrDefault()]} vs {g.Lr[wrong.FirstOrDefault()]}");
            }
    }

    [Fact]
    public void MakeLr_IsMultiplesOf255thsAndBlurReducesDetail()
    {
        using var scope = NewDisposeScope();
        var hr = EvalTestData.Smooth(48, 40, seed: 6).ToTensor();
        var sharp = TestSetSynthesis.MakeLr(hr, 0.2, 4);
        var blurred = TestSetSynthesis.MakeLr(hr, 2.6, 4);
        var levels = blurred.mul(255);
        Assert.True(levels.sub(levels.round()).abs().max().item<float>() < 1e-4f);
        // total variation falls as σ grows
        double Tv(Tensor x) => x[.., .., 1.., ..].sub(x[.., .., ..^1, ..]).abs().sum().item<float>();
        Assert.True(Tv(blurred) < Tv(sharp));
    }

    [Fact]
    public void Folder_UsesScaleAndInvariantSigma()
    {
        Assert.Equal(Path.Combine("r", "Set5", "x4_sigma2.6"), TestSetSynthesis.Folder("r", "Set5", 4, 2.6));
        Assert.Equal(Path.Combine("r", "Set5", "x2_sigma0.0"), TestSetSynthesis.Folder("r", "Set5", 2, 0));
    }

    [Fact]
    public void WriteSet_WritesModCroppedLrPngsWithTheHrNames()
    {
        string root = EvalTestData.MakeRoot("Tiny", EvalTestData.TwoImages());
        try
        {
            var written = new List<string>();
            string folder = TestSetSynthesis.WriteSet(Path.Combine(root, "Tiny"), Path.Combine(root, "lr"), "Tiny", 4, 1.3,
                progress: written.Add);
            Assert.Equal(2, written.Count);
            var a = ImageFile.Read(Path.Combine(folder, "a.png"));   // 50×42 → 48×40 → 12×10
            var b = ImageFile.Read(Path.Combine(folder, "b.png"));   // 46×39 → 44×36 → 11×9
            Assert.Equal((12, 10), (a.Width, a.Height));
            Assert.Equal((11, 9), (b.Width, b.Height));
            using var expected = TestSetSynthesis.MakeLr(EvalTestData.TwoImages()[0].Image.ModCrop(4).ToTensor(), 1.3, 4);
            using var actual = a.ToTensor().unsqueeze(0);
            Assert.True(Same(actual, expected), "the PNG does not hold the LR image bit for bit");
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
}
