using KbSr.Data;
using KbSr.Imaging;
using KbSr.Tests.Imaging;

namespace KbSr.Tests.Data;

public sealed class DatasetVerifierTests : IDisposable
{
    private readonly string _root = TestImages.TempFolder();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static DatasetInfo Info(string name, int files) => new(name, files, "test set", null, null, null);

    /// <summary>A set of <paramref name="count"/> generated PNGs and a root manifest written with hashes computed here.</summary>
    private string MakeSet(string name, int count)
    {
        string folder = Directory.CreateDirectory(Path.Combine(_root, name)).FullName;
        var lines = new List<string>();
        for (int i = 0; i < count; i++)
        {
            string file = Path.Combine(folder, $"img_{i:D3}.png");
            ImageFile.WritePng(TestImages.Random(8, 8, seed: i), file);
            string hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file)));
            lines.Add($"{hash}  ./{name}/img_{i:D3}.png");
        }
        File.AppendAllLines(Path.Combine(_root, DatasetVerifier.ManifestName), lines);
        return folder;
    }

    [Fact]
    public void Verify_OfIntactSet_IsOkWithEveryFileChecked()
    {
        MakeSet("A", 3);
        MakeSet("B", 2);
        var check = DatasetVerifier.Verify(Info("A", 3), _root);
        Assert.True(check.Ok, string.Join("; ", check.Problems));
        Assert.Equal((3, 3), (check.Found, check.Checked));
    }

    [Fact]
    public void Verify_OfAlteredFile_ReportsItsHash()
    {
        string folder = MakeSet("A", 3);
        ImageFile.WritePng(TestImages.Random(8, 8, seed: 99), Path.Combine(folder, "img_001.png"));
        var check = DatasetVerifier.Verify(Info("A", 3), _root);
        Assert.False(check.Ok);
        Assert.Contains(check.Problems, p => p.Contains("img_001.png: SHA-256", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_OfMissingFileAndWrongCount_ReportsBoth()
    {
        string folder = MakeSet("A", 3);
        File.Delete(Path.Combine(folder, "img_002.png"));
        var check = DatasetVerifier.Verify(Info("A", 3), _root);
        Assert.False(check.Ok);
        Assert.Contains("2 image files, expected 3", check.Problems);
        Assert.Contains(check.Problems, p => p.Contains("img_002.png: listed in", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_OfPerSetManifest_UsesBareNames()
    {
        string folder = Directory.CreateDirectory(Path.Combine(_root, "C")).FullName;
        ImageFile.WritePng(TestImages.Random(4, 4, seed: 1), Path.Combine(folder, "x.png"));
        File.WriteAllText(Path.Combine(folder, DatasetVerifier.ManifestName), new string('0', 64) + " *x.png\n");
        var check = DatasetVerifier.Verify(Info("C", 1), _root);
        Assert.Equal(1, check.Checked);
        Assert.Contains(check.Problems, p => p.Contains("x.png: SHA-256", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_OfAbsentSet_IsNotPresent()
    {
        var check = DatasetVerifier.Verify(Info("Nope", 5), _root);
        Assert.False(check.Present);
        Assert.False(check.Ok);
    }

    [SkippableFact]
    public void Verify_OfSharedSet5_AgreesWithItsManifest()
    {
        var check = DatasetVerifier.Verify(DatasetCatalog.Find("Set5"), TestSetup.RequireDataRoot("Set5"));
        Assert.True(check.Ok, string.Join("; ", check.Problems));
        Assert.Equal(5, check.Found);
        Assert.Equal(5, check.Checked);
    }
}
