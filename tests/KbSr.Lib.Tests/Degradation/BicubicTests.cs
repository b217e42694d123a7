using KbSr.Degradation;
using TorchSharp;
using static KbSr.Tests.Degradation.DegradationAssert;
using static TorchSharp.torch;

namespace KbSr.Tests.Degradation;

public class BicubicTests
{
    [Fact]
    public void Weights_QuarterScale_InteriorTapsAreMethodCheckValues()
    {
        // docs/method.md §8.1: ×1/4, LR pixel j (0-based) reads HR pixels 4j−6 … 4j+9. By hand: u = 4(j+1) − 1.5
        // (1-based) = 4j + 1.5 (0-based), so the 16 taps sit at distances 7.5, 6.5, …, 0.5 and back; each
        // weight is ¼·w(d/4) with w the a = −0.5 cubic, e.g. ¼·w(0.125) = ¼·(1.5·0.125³ − 2.5·0.125² + 1)
        // = 0.2409668; the 16 already sum to 1 (w's partition of unity over 4 shifted lattices).
        using var w = Bicubic.Weights(64, 0.25);
        Assert.Equal(new long[] { 16, 64 }, w.shape);
        Assert.Equal(ScalarType.Float64, w.dtype);
        double[] half = [-0.001709, -0.010986, -0.018311, -0.011963, 0.022705, 0.097412, 0.181885, 0.240967];
        double[] taps = [.. half, .. half.Reverse()];
        foreach (int j in new[] { 2, 5, 13 })
        {
            var row = new double[64];
            for (int t = 0; t < 16; t++) row[4 * j - 6 + t] = taps[t];
            Close(w[j], row, 5e-7, $"row {j}");
        }
    }

    [Theory]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(50)]
    public void Weights_TimesFour_FirstRowsAreMethodCheckValues(int inLength)
    {
        // docs/method.md §8.1: ×4, output 1 has u = 1/4 + 0.375 = 0.625 (1-based), taps −2 … 3 at distances
        // 2.625, 1.625, 0.625, −0.375, −1.375, −2.375 with w = 0, −0.0439453, 0.3896484, 0.7275391, −0.0732422, 0.
        // Mirroring folds index 0 onto 1 and −1 onto 2: row = (0.3896484 + 0.7275391, −0.0439453 − 0.0732422)
        // = (1.1171875, −0.1171875). Output 2 (u = 0.875) likewise gives (1.0546875, −0.0546875).
        using var w = Bicubic.Weights(inLength, 4);
        Assert.Equal(new long[] { 4 * inLength, inLength }, w.shape);
        var first = new double[inLength];
        first[0] = 1.1171875; first[1] = -0.1171875;
        var second = new double[inLength];
        second[0] = 1.0546875; second[1] = -0.0546875;
        Close(w[0], first, 1e-12, "row 0");
        Close(w[1], second, 1e-12, "row 1");
        // The mirror image at the far edge.
        Close(w[-1].flip(0), first, 1e-12, "last row");
    }

    [Theory]
    [InlineData(17, 0.25)]
    [InlineData(10, 1.0 / 3)]
    [InlineData(9, 0.5)]
    [InlineData(7, 2.0)]
    [InlineData(5, 3.0)]
    public void Weights_RowsSumToOne(int inLength, double scale)
    {
        using var w = Bicubic.Weights(inLength, scale);
        Assert.Equal((long)Math.Ceiling(inLength * scale), w.shape[0]);
        using var sums = w.sum(1);
        Close(sums, Enumerable.Repeat(1.0, (int)w.shape[0]).ToArray(), 1e-12);
    }

    [Fact]
    public void Weights_ScaleOne_IsIdentity()
    {
        using var w = Bicubic.Weights(11, 1.0);
        using var eye = torch.eye(11, dtype: float64);
        Close(w, eye, 1e-15);
    }

    [Theory]
    [InlineData(0.25)]
    [InlineData(1.0 / 3)]
    [InlineData(0.5)]
    [InlineData(2.0)]
    [InlineData(3.0)]
    [InlineData(4.0)]
    public void Resize_ConstantImage_StaysConstant(double scale)
    {
        using var scope = NewDisposeScope();
        var x = full(2, 3, 25, 18, 0.625f);
        var y = Bicubic.Resize(x, scale);
        Assert.Equal(new long[] { 2, 3, (long)Math.Ceiling(25 * scale), (long)Math.Ceiling(18 * scale) }, y.shape);
        Close(y, full(y.shape, 0.625f), 2e-6);
    }

    [Fact]
    public void Resize_RampDownByTwo_EqualsHandComputedValues()
    {
        // 1-D, 8 pixels f(p) = p (0-based), ×1/2: kernel width 8, weight(d) = ½·w(d/2). Output o is centred at
        // 2o + 0.5 with 8 taps at distances ±0.5, ±1.5, ±2.5, ±3.5: ½·w(0.25, 0.75, 1.25, 1.75)
        // = 0.43359375, 0.11328125, −0.03515625, −0.01171875 (sum over 8 = 1). A linear ramp would give the
        // exact average 2o + 0.5 in the interior; symmetric mirroring (−1→0, −2→1, −3→2, 8→7, 9→6, 10→5) changes it:
        //   o=0: taps at −3…4 read [2,1,0,0,1,2,3,4] → 0.5 − 0.01171875·5 − 0.03515625·3 + 0.11328125·1 = 0.44921875
        //   o=1: tap −1 reads 0 instead of −1 → 2.5 − 0.01171875 = 2.48828125
        //   o=2: tap 8 reads 7 instead of 8 → 4.5 + 0.01171875 = 4.51171875
        //   o=3: 7 − 0.44921875 (the ramp reversed) = 6.55078125
        // For the 2-D ramp f(i,j) = 8i + j the operator is separable and each 1-D operator preserves constants,
        // so out[p,q] = 8·g(p) + g(q).
        double[] g = [0.44921875, 2.48828125, 4.51171875, 6.55078125];
        CheckRamp(0.5, g);
    }

    [Fact]
    public void Resize_RampDownByFour_EqualsHandComputedValues()
    {
        // ×1/4 on 8 pixels: outputs centred at 1.5 and 5.5 (0-based), taps at distances ±0.5 … ±7.5 with the
        // §8.1 weights (7.5 → −0.001708984375, 6.5 → −0.010986328125, 5.5 → −0.018310546875,
        // 4.5 → −0.011962890625, 3.5 → 0.022705078125, 2.5 → 0.097412109375, …).
        // o=0 reads positions −6 … 9; mirroring changes the values at −1…−6 (to 0…5: +1, +3, +5, +7, +9, +11)
        // and 8, 9 (to 7, 6: −1, −3). Correction = 0.097412109375·1 + 0.022705078125·3 − 0.011962890625·5
        // − 0.018310546875·7 − 0.010986328125·9 − 0.001708984375·11 + 0.010986328125·1 + 0.001708984375·3
        // = −0.1240234375, so g(0) = 1.5 − 0.1240234375 = 1.3759765625 and g(1) = 7 − g(0) = 5.6240234375.
        double[] g = [1.3759765625, 5.6240234375];
        CheckRamp(0.25, g);
    }

    private static void CheckRamp(double scale, double[] g)
    {
        using var scope = NewDisposeScope();
        var ramp = (arange(8, dtype: float64).view(-1, 1) * 8 + arange(8, dtype: float64).view(1, -1)).view(1, 1, 8, 8);
        var expected = new double[g.Length * g.Length];
        for (int p = 0; p < g.Length; p++)
            for (int q = 0; q < g.Length; q++)
                expected[p * g.Length + q] = 8 * g[p] + g[q];
        Close(Bicubic.Resize(ramp, scale), expected, 1e-12);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Resize_UpThenDown_OfSmoothImage_IsNearlyIdentity(int factor)
    {
        using var scope = NewDisposeScope();
        var i = arange(30, dtype: float64).view(-1, 1);
        var j = arange(36, dtype: float64).view(1, -1);
        var x = (0.5 + 0.3 * (2 * Math.PI * i / 30).sin() * (2 * Math.PI * j / 36 + 0.3).cos()).view(1, 1, 30, 36);
        var back = Bicubic.Resize(Bicubic.Resize(x, factor), 1.0 / factor);
        Assert.Equal(x.shape, back.shape);
        Close(back, x, 0.005);
        Assert.True(MaxAbsDiff(back, x) > 0, "resampling is not expected to be exactly invertible");
    }

    [Fact]
    public void Resize_OddSizes_CeilAndAnyLeadingDims()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(new long[] { 4, 5 }, Bicubic.Resize(rand(7, 9), 0.5).shape);
        Assert.Equal(new long[] { 5, 3, 3 }, Bicubic.Resize(rand(5, 7, 9), 1.0 / 3).shape);
        Assert.Equal(new long[] { 2, 3, 4, 12, 15 }, Bicubic.Resize(rand(new long[] { 2, 3, 4, 45, 57 }), 0.25).shape);
        var d = Bicubic.Resize(rand(2, 3, 10, 10, dtype: float64), 2);
        Assert.Equal(ScalarType.Float64, d.dtype);
        Assert.Throws<ArgumentException>(() => Bicubic.Resize(ones(4, 4, dtype: ScalarType.Byte), 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Bicubic.Resize(rand(4, 4), 0));
    }

    [Fact]
    public void Resize_BatchedEqualsPerImage()
    {
        using var scope = NewDisposeScope();
        var x = rand(3, 3, 20, 28);
        var y = Bicubic.Resize(x, 0.25);
        for (int b = 0; b < 3; b++)
            Close(y[b], Bicubic.Resize(x[b], 0.25), 1e-6, $"image {b}");
    }

    [Fact]
    public void Resize_IsDifferentiable_WithTheTransposedOperatorAsGradient()
    {
        // y = W_H·X·W_Wᵀ ⇒ ∂(Σ y)/∂X = (W_Hᵀ·1)(W_Wᵀ·1)ᵀ: the outer product of the matrices' column sums.
        using var scope = NewDisposeScope();
        var x = rand(1, 2, 13, 10, dtype: float64).requires_grad_();
        Bicubic.Resize(x, 0.5).sum().backward();
        var expected = Bicubic.Weights(13, 0.5).sum(dim: 0).view(-1, 1) * Bicubic.Weights(10, 0.5).sum(dim: 0).view(1, -1);
        Assert.NotNull(x.grad);
        Close(x.grad![0, 1], expected, 1e-12);
    }

    [Theory]
    [InlineData(0.25)]
    [InlineData(1.0 / 3)]
    [InlineData(0.5)]
    [InlineData(2.0)]
    [InlineData(3.0)]
    public void Resize_SmallImage_MatchesDirectLoopEvaluationOfMatlabFormula(double scale)
    {
        // Golden values from an independent, deliberately naive evaluation of docs/method.md §8.1 (below): every
        // output pixel sums weight_row·weight_col·x over its candidate taps, mirroring each index on the fly.
        const int h = 11, w = 14;
        var x = new double[h, w];
        for (int r = 0; r < h; r++)
            for (int c = 0; c < w; c++)
                x[r, c] = ((r * 7 + c * 13) % 17) / 16.0;   // deterministic, non-smooth
        using var scope = NewDisposeScope();
        var actual = Bicubic.Resize(tensor(x, dtype: float64), scale);
        var expected = ReferenceResize(x, scale);
        Close(actual, tensor(expected, dtype: float64), 1e-12);
    }

    private static double[,] ReferenceResize(double[,] x, double scale)
    {
        int h = x.GetLength(0), w = x.GetLength(1);
        var (rows, rowTaps) = ReferenceTaps(h, scale);
        var (cols, colTaps) = ReferenceTaps(w, scale);
        var y = new double[rows.Length, cols.Length];
        for (int p = 0; p < rows.Length; p++)
            for (int q = 0; q < cols.Length; q++)
            {
                double sum = 0;
                for (int a = 0; a < rows[p].Length; a++)
                    for (int b = 0; b < cols[q].Length; b++)
                        sum += rows[p][a] * cols[q][b] * x[rowTaps[p][a], colTaps[q][b]];
                y[p, q] = sum;
            }
        return y;
    }

    // Per output index: normalised weights and 0-based (mirrored) input indices.
    private static (double[][] Weights, int[][] Indices) ReferenceTaps(int n, double scale)
    {
        static double Cubic(double t)
        {
            t = Math.Abs(t);
            return t <= 1 ? (1.5 * t - 2.5) * t * t + 1 : t <= 2 ? ((-0.5 * t + 2.5) * t - 4) * t + 2 : 0;
        }
        int m = (int)Math.Ceiling(n * scale);
        double width = scale < 1 ? 4 / scale : 4;
        var weights = new double[m][];
        var indices = new int[m][];
        for (int o = 1; o <= m; o++)
        {
            double u = o / scale + 0.5 * (1 - 1 / scale);
            int left = (int)Math.Floor(u - width / 2);
            int count = (int)Math.Ceiling(width) + 2;
            weights[o - 1] = new double[count];
            indices[o - 1] = new int[count];
            for (int t = 0; t < count; t++)
            {
                int i = left + t;
                weights[o - 1][t] = scale < 1 ? scale * Cubic(scale * (u - i)) : Cubic(u - i);
                while (i < 1 || i > n) i = i < 1 ? 1 - i : 2 * n + 1 - i;   // symmetric, edge included
                indices[o - 1][t] = i - 1;
            }
            double total = weights[o - 1].Sum();
            for (int t = 0; t < count; t++) weights[o - 1][t] /= total;
        }
        return (weights, indices);
    }
}
