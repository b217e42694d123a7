using System.Security.Cryptography;

namespace KbSr.Imaging;

/// <summary>
/// The photograph that ships with the toolkit (data/images/chelsea.png, licence and source in data/images/README.md):
/// Chelsea the cat, 451 × 300 RGB, by Stefan van der Walt, CC0, as scikit-image ships it. It travels inside the
/// library, so the demo, the tests and the notebooks have a real photograph on a machine with no datasets and no
/// network. It is not a test-set image: no table scores it.
/// </summary>
public static class SamplePhoto
{
    /// <summary>Resource name inside KbSr.Lib.</summary>
    public const string ResourceName = "KbSr.Imaging.chelsea.png";

    /// <summary>The file's path in the repository.</summary>
    public const string RepositoryPath = "data/images/chelsea.png";

    /// <summary>SHA-256 of the PNG file, as scikit-image ships it (checked by the tests against the file and the resource).</summary>
    public const string Sha256 = "596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb";

    /// <summary>One line for reports: what the photograph is and under which licence.</summary>
    public const string Description = "Chelsea the cat (photo: Stefan van der Walt, CC0; from scikit-image's sample data)";

    /// <summary>The PNG file's bytes.</summary>
    public static byte[] Bytes()
    {
        using var stream = typeof(SamplePhoto).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"resource {ResourceName} is missing from KbSr.Lib (build problem)");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        byte[] bytes = copy.ToArray();
        string hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (hash != Sha256)
            throw new InvalidDataException($"resource {ResourceName}: SHA-256 {hash}, expected {Sha256} (build problem)");
        return bytes;
    }

    /// <summary>The photograph, decoded.</summary>
    public static RgbImage Load() => ImageFile.Decode(Bytes(), RepositoryPath);
}
