using System.Globalization;
using KbSr.Degradation;
using KbSr.Imaging;
using static TorchSharp.torch;

namespace KbSr.Evaluation;

/// <summary>
/// Deterministic LR test images (docs/method.md §6): HR mod-cropped to a multiple of s, blurred with the
/// isotropic 21×21 Gaussian of σ (reflection padding), MATLAB bicubic ↓s, rounded to 8 bits.
/// σ = 0 means no blur (plain bicubic degradation). <c>kbsr synth</c> writes exactly these, so other
/// tools can be compared on the very same inputs.
/// </summary>
public static class TestSetSynthesis
{
    /// <summary>The LR image [1,3,h,w] for <paramref name="hr"/> (already mod-cropped) and σ.</summary>
    public static Tensor MakeLr(Tensor hr, double sigma, int scale, int kernelSize = 21)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var batch = hr.dim() == 3 ? hr.unsqueeze(0) : hr;
        Tensor lr;
        if (sigma <= 0)
            lr = Bicubic.Resize(batch, 1.0 / scale).clamp(0, 1).mul(255).round().div(255);
        else
            lr = Degrader.Degrade(batch, GaussianKernel.Isotropic(sigma, kernelSize, batch.device), scale, quantize: true);
        return lr.MoveToOuterDisposeScope();
    }

    /// <summary>The true kernel used for σ (a delta for σ = 0).</summary>
    public static Tensor TrueKernel(double sigma, int kernelSize = 21, Device? device = null)
    {
        if (sigma > 0) return GaussianKernel.Isotropic(sigma, kernelSize, device);
        var delta = zeros(kernelSize, kernelSize, device: device);
        delta[kernelSize / 2, kernelSize / 2] = 1f;
        return delta;
    }

    /// <summary>Folder of one LR set: <c>{root}/{set}/x{scale}_sigma{σ}</c>, σ written invariantly ("2.6").</summary>
    public static string Folder(string root, string set, int scale, double sigma) =>
        Path.Combine(root, set, $"x{scale}_sigma{sigma.ToString("0.0##", CultureInfo.InvariantCulture)}");

    /// <summary>Writes the LR images of every HR image in <paramref name="hrFolder"/> as PNG files of the
    /// same names into <see cref="Folder"/>. Returns the folder.</summary>
    public static string WriteSet(string hrFolder, string outRoot, string set, int scale, double sigma,
        int kernelSize = 21, Action<string>? progress = null)
    {
        string folder = Folder(outRoot, set, scale, sigma);
        Directory.CreateDirectory(folder);
        foreach (string path in ImageFile.ListImages(hrFolder))
        {
            using var scope = NewDisposeScope();
            var hr = ImageFile.Read(path).ModCrop(scale);
            new EvalOptions([set], [sigma], scale, kernelSize).CheckSize(hr, path);   // names the file, not a libtorch padding error
            var lr = MakeLr(hr.ToTensor(), sigma, scale, kernelSize);
            string target = Path.Combine(folder, Path.GetFileNameWithoutExtension(path) + ".png");
            ImageFile.WritePng(RgbImage.FromTensor(lr, hr.WasGrey), target);
            progress?.Invoke(target);
        }
        return folder;
    }
}
