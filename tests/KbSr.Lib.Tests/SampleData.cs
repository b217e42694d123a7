using KbSr.Imaging;

namespace KbSr.Tests;

/// <summary>
/// A data root made of images the repository ships or makes itself — the sample photograph (data/images/README.md),
/// its mirror image and the procedural test chart — for tests that need some training or evaluation images but whose
/// subject is not a benchmark set. They run on a fresh machine with no datasets (only tests about the real sets,
/// such as the published bicubic figures or the shipped weights' PSNR, need <see cref="TestSetup.RequireDataRoot"/>).
/// </summary>
internal static class SampleData
{
    /// <summary>The set's name inside the root.</summary>
    public const string Set = "Sample";

    /// <summary>Writes the set <paramref name="set"/> (photo.png, photo-mirrored.png, chart.png) under
    /// <paramref name="root"/> and returns the root.</summary>
    public static string MakeRoot(string root, string set = Set)
    {
        var photo = SamplePhoto.Load();
        ImageFile.WritePng(photo, Path.Combine(root, set, "photo.png"));
        using (var mirrored = photo.ToTensor().flip(2)) ImageFile.WritePng(RgbImage.FromTensor(mirrored), Path.Combine(root, set, "photo-mirrored.png"));
        using (var chart = TestChart.Make(128)) ImageFile.WritePng(RgbImage.FromTensor(chart), Path.Combine(root, set, "chart.png"));
        return root;
    }

    /// <summary>Five distinct crops of the photograph, 64 + 8·i pixels square, as a Set5-shaped folder
    /// (img_001.png … img_005.png) under <paramref name="root"/>: for tests of how a five-image set is used.</summary>
    public static string MakeFiveImageSet(string root, string set)
    {
        var photo = SamplePhoto.Load();
        for (int i = 0; i < 5; i++)
        {
            int size = 64 + 8 * i;
            ImageFile.WritePng(photo.Crop(40 * i, 20 * i, size, size), Path.Combine(root, set, $"img_{i + 1:000}.png"));
        }
        return root;
    }
}
