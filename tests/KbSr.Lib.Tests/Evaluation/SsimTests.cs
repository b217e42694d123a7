using KbSr.Evaluation;
using KbSr.Tests.Imaging;
using static TorchSharp.torch;

namespace KbSr.Tests.Evaluation;

public class SsimTests
{
    [Fact]
    public void OnY_OfIdenticalImages_IsOne()
    {
        using var x = TestImages.Random(30, 24, seed: 3).ToTensor();
        Assert.Equal(1.0, Ssim.OnY(x, x, shave: 4), 12);
    }

    [Fact]
    public void OnY_OfConstantGreyImages_IsTheLuminanceTerm()
    {
        // Constant planes a = 100, b = 110: variances and covariance are 0, so
        // SSIM = (2ab + C1)/(a² + b² + C1) = 22006.5025 / 22106.5025 = 0.9954764440915066.
        using var hr = TestImages.Constant(20, 20, 100, 100, 100).ToTensor();
        using var sr = TestImages.Constant(20, 20, 110, 110, 110).ToTensor();
        Assert.Equal(0.9954764440915066, Ssim.OnY(sr, hr, shave: 2, grey: true), 9);
    }

    [Fact]
    public void OnY_OfRandomGreyPair_MatchesADirectLoopImplementation()
    {
        var hrImage = TestImages.Random(17, 15, seed: 4, grey: true);
        var srImage = TestImages.Random(17, 15, seed: 5, grey: true);
        const int shave = 1;
        double expected = NaiveSsim(Plane(hrImage.Pixels, 17, 15, shave), Plane(srImage.Pixels, 17, 15, shave));
        using var hr = hrImage.ToTensor();
        using var sr = srImage.ToTensor();
        Assert.Equal(expected, Ssim.OnY(sr, hr, shave, grey: true), 10);
    }

    [Fact]
    public void OnY_OfRandomColourPair_MatchesADirectLoopOnHandComputedY()
    {
        var hrImage = TestImages.Random(14, 13, seed: 6);
        var srImage = TestImages.Random(14, 13, seed: 7);
        double expected = NaiveSsim(YPlane(hrImage.Pixels, 14, 13), YPlane(srImage.Pixels, 14, 13));
        using var hr = hrImage.ToTensor();
        using var sr = srImage.ToTensor();
        Assert.Equal(expected, Ssim.OnY(sr, hr, shave: 0), 10);
    }

    [Fact]
    public void OnY_WithFewerPixelsThanTheWindow_Throws()
    {
        using var x = zeros(3, 12, 12);
        Assert.Throws<ArgumentException>(() => Ssim.OnY(x, x, shave: 1));
    }

    private static double[,] Plane(byte[] rgb, int w, int h, int shave)
    {
        var p = new double[h - 2 * shave, w - 2 * shave];
        for (int y = 0; y < p.GetLength(0); y++)
            for (int x = 0; x < p.GetLength(1); x++)
                p[y, x] = rgb[((y + shave) * w + x + shave) * 3];
        return p;
    }

    private static double[,] YPlane(byte[] rgb, int w, int h)
    {
        var p = new double[h, w];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = (y * w + x) * 3;
                p[y, x] = 16 + (65.481 * rgb[i] + 128.553 * rgb[i + 1] + 24.966 * rgb[i + 2]) / 255;
            }
        return p;
    }

    // Wang et al. 2004 written out: an 11x11 Gaussian (σ = 1.5) weighted window at every valid position.
    private static double NaiveSsim(double[,] a, double[,] b)
    {
        const double c1 = 6.5025, c2 = 58.5225; // (0.01·255)², (0.03·255)²
        var w = new double[11, 11];
        double total = 0;
        for (int i = 0; i < 11; i++)
            for (int j = 0; j < 11; j++)
                total += w[i, j] = Math.Exp(-((i - 5) * (i - 5) + (j - 5) * (j - 5)) / (2 * 1.5 * 1.5));
        double sum = 0;
        int count = 0;
        for (int y = 0; y + 11 <= a.GetLength(0); y++)
            for (int x = 0; x + 11 <= a.GetLength(1); x++)
            {
                double ma = 0, mb = 0, aa = 0, bb = 0, ab = 0;
                for (int i = 0; i < 11; i++)
                    for (int j = 0; j < 11; j++)
                    {
                        double k = w[i, j] / total, va = a[y + i, x + j], vb = b[y + i, x + j];
                        ma += k * va; mb += k * vb; aa += k * va * va; bb += k * vb * vb; ab += k * va * vb;
                    }
                double va2 = aa - ma * ma, vb2 = bb - mb * mb, cov = ab - ma * mb;
                sum += (2 * ma * mb + c1) * (2 * cov + c2) / ((ma * ma + mb * mb + c1) * (va2 + vb2 + c2));
                count++;
            }
        return sum / count;
    }
}
