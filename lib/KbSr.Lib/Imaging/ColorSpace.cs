using static TorchSharp.torch;

namespace KbSr.Imaging;

/// <summary>
/// ITU-R BT.601 studio-swing YCbCr exactly as MATLAB's <c>rgb2ycbcr</c> computes it for double inputs
/// (docs/method.md §6, §8.2), all values in [0,1] units: Y = (16 + 65.481 R + 128.553 G + 24.966 B) / 255,
/// so Y spans 16/255 … 235/255. Channel axis is the third from the end: <c>[...,3,H,W]</c>.
/// Results are not rounded (the metric's convention, as BasicSR and the MATLAB scripts do).
/// </summary>
public static class ColorSpace
{
    private static readonly double[,] Forward =
    {
        { 65.481 / 255, 128.553 / 255, 24.966 / 255 },
        { -37.797 / 255, -74.203 / 255, 112.0 / 255 },
        { 112.0 / 255, -93.786 / 255, -18.214 / 255 },
    };

    private static readonly double[] ForwardOffset = [16.0 / 255, 128.0 / 255, 128.0 / 255];

    private static readonly double[,] Inverse = Invert(Forward);

    // x = F⁻¹ (y − o) = F⁻¹ y − F⁻¹ o
    private static readonly double[] InverseOffset = Negate(Multiply(Inverse, ForwardOffset));

    /// <summary>Luma <c>[...,1,H,W]</c> of an RGB tensor <c>[...,3,H,W]</c>.</summary>
    public static Tensor RgbToY(Tensor rgb)
    {
        CheckChannels(rgb, nameof(rgb));
        using var scope = NewDisposeScope();
        return Combine(rgb, Forward, ForwardOffset, 0).unsqueeze(-3).MoveToOuterDisposeScope();
    }

    public static Tensor RgbToYCbCr(Tensor rgb)
    {
        CheckChannels(rgb, nameof(rgb));
        return Apply(rgb, Forward, ForwardOffset);
    }

    /// <summary>The exact inverse of <see cref="RgbToYCbCr"/> (MATLAB's <c>ycbcr2rgb</c>), not clamped.</summary>
    public static Tensor YCbCrToRgb(Tensor ycbcr)
    {
        CheckChannels(ycbcr, nameof(ycbcr));
        return Apply(ycbcr, Inverse, InverseOffset);
    }

    private static Tensor Apply(Tensor x, double[,] matrix, double[] offset)
    {
        using var scope = NewDisposeScope();
        var rows = new Tensor[3];
        for (int c = 0; c < 3; c++) rows[c] = Combine(x, matrix, offset, c);
        return stack(rows, dim: -3).MoveToOuterDisposeScope();
    }

    // out_c = Σ_k m[c,k]·x_k + o_c, batched over every leading dimension.
    private static Tensor Combine(Tensor x, double[,] m, double[] offset, int c)
    {
        var result = x.select(-3, 0).mul(m[c, 0]);
        result.add_(x.select(-3, 1), alpha: m[c, 1]);
        result.add_(x.select(-3, 2), alpha: m[c, 2]);
        return result.add_(offset[c]);
    }

    private static void CheckChannels(Tensor x, string name)
    {
        ArgumentNullException.ThrowIfNull(x, name);
        if (x.dim() < 3 || x.shape[^3] != 3)
            throw new ArgumentException($"{name}: shape [{string.Join(",", x.shape)}]; expected [...,3,H,W]", name);
    }

    private static double[,] Invert(double[,] m)
    {
        double det = m[0, 0] * (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1])
                   - m[0, 1] * (m[1, 0] * m[2, 2] - m[1, 2] * m[2, 0])
                   + m[0, 2] * (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]);
        var inv = new double[3, 3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                // cofactor of m[j,i] (transpose = adjugate)
                int r0 = (j + 1) % 3, r1 = (j + 2) % 3, c0 = (i + 1) % 3, c1 = (i + 2) % 3;
                inv[i, j] = (m[r0, c0] * m[r1, c1] - m[r0, c1] * m[r1, c0]) / det;
            }
        return inv;
    }

    private static double[] Multiply(double[,] m, double[] v) =>
        [.. Enumerable.Range(0, 3).Select(i => m[i, 0] * v[0] + m[i, 1] * v[1] + m[i, 2] * v[2])];

    private static double[] Negate(double[] v) => [.. v.Select(x => -x)];
}
