using System.Security.Cryptography;
using KbSr.Imaging;

namespace KbSr.Tests.Imaging;

/// <summary>The photograph that ships with the toolkit: the file is the one its licence file describes, the library carries
/// exactly that file, and it decodes to the stated size.</summary>
public class SamplePhotoTests
{
    private static string RepoFile(string relative) => Path.Combine(TestSetup.RepoRoot, relative);

    [Fact]
    public void TheFile_TheResource_AndTheLicenceFile_AgreeOnOneHash()
    {
        byte[] file = File.ReadAllBytes(RepoFile(SamplePhoto.RepositoryPath));
        Assert.Equal(SamplePhoto.Sha256, Convert.ToHexStringLower(SHA256.HashData(file)));
        Assert.Equal(file, SamplePhoto.Bytes());
        string licence = File.ReadAllText(RepoFile("data/images/README.md"));
        Assert.Contains(SamplePhoto.Sha256, licence);
        Assert.Contains("CC0", licence);
        Assert.Contains("Stefan van der Walt", licence);
        Assert.Contains(file.Length.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " bytes", licence);
    }

    [Fact]
    public void Load_DecodesTheStatedRgbPhotograph()
    {
        var photo = SamplePhoto.Load();
        Assert.Equal((451, 300), (photo.Width, photo.Height));
        Assert.False(photo.WasGrey);
        // A photograph, not a flat or synthetic image: many distinct colours.
        var colours = new HashSet<int>();
        for (int i = 0; i < photo.Pixels.Length; i += 3) colours.Add(photo.Pixels[i] << 16 | photo.Pixels[i + 1] << 8 | photo.Pixels[i + 2]);
        Assert.True(colours.Count > 10_000, $"{colours.Count} distinct colours");
    }
}
