using System.Security.Cryptography;
using KbSr.Data;
using KbSr.Imaging;
using KbSr.Training;

namespace KbSr.Tests.Data;

/// <summary><see cref="DatasetSplit"/>: BSDS200's validation images are held out of its training split, and no run trains or
/// validates on a test set; on the real data, no validation image is a test image, by pixel content.</summary>
public sealed class DatasetSplitTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kbsr-split-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Parse_AcceptsWholeSetsAndKnownSplits_AndRefusesTheRest()
    {
        Assert.Equal(("T91", (string?)null), DatasetSplit.Parse("T91"));
        Assert.Equal(("BSDS200", (string?)"val"), DatasetSplit.Parse("BSDS200:val"));
        Assert.Equal(("BSDS200", (string?)"train"), DatasetSplit.Parse("BSDS200:train"));
        Assert.Contains("unknown split 'test'", Assert.Throws<ArgumentException>(() => DatasetSplit.Parse("BSDS200:test")).Message);
        Assert.Contains("T91 has no splits", Assert.Throws<ArgumentException>(() => DatasetSplit.Parse("T91:val")).Message);
    }

    /// <summary>A BSDS200-shaped folder: the ten validation names and three others. The splits partition it.</summary>
    [Fact]
    public void Images_TheTwoSplitsPartitionTheSet()
    {
        var held = DatasetSplit.ValidationImages["BSDS200"];
        string[] others = ["100075", "100080", "302003"];
        using (var chart = TestChart.Make(64))
        {
            var image = RgbImage.FromTensor(chart);
            foreach (string name in held.Concat(others)) ImageFile.WritePng(image, Path.Combine(_root, "BSDS200", name + ".png"));
        }
        var val = DatasetSplit.Images("BSDS200:val", _root).Select(Path.GetFileNameWithoutExtension).ToList();
        var train = DatasetSplit.Images("BSDS200:train", _root).Select(Path.GetFileNameWithoutExtension).ToList();
        Assert.Equal(held.Order(StringComparer.Ordinal), val.Order(StringComparer.Ordinal));
        Assert.Equal(others, train.Order(StringComparer.Ordinal));
        Assert.Equal(13, DatasetSplit.Images("BSDS200", _root).Count);
        Assert.Equal(Path.Combine(_root, "BSDS200"), DatasetSplit.Folder("BSDS200:val", _root));

        File.Delete(Path.Combine(_root, "BSDS200", held[3] + ".png"));
        var e = Assert.Throws<InvalidDataException>(() => DatasetSplit.Images("BSDS200:train", _root));
        Assert.Contains(held[3], e.Message);
    }

    [Fact]
    public void NewRuns_NeitherTrainNorValidateOnATestSet()
    {
        new TrainOptions { Data = DatasetSplit.DefaultTraining }.RefuseTestSets();   // `kbsr train`'s defaults, validated on BSDS200:val
        Assert.Equal(DatasetSplit.DefaultValidation, new TrainOptions().ValidationSet);
        Assert.Contains("training set Set5", Assert.Throws<ArgumentException>(() => new TrainOptions { Data = ["T91", "Set5"] }.RefuseTestSets()).Message);
        Assert.Contains("validation set BSDS100",
            Assert.Throws<ArgumentException>(() => new TrainOptions { Data = ["T91"], ValidationSet = "BSDS100" }.RefuseTestSets()).Message);
        new TrainOptions { Data = ["T91"], ValidationSet = "Set14", ValidateEvery = 0 }.RefuseTestSets();   // never validated: allowed

        // Through the trainer, as `kbsr train` and notebook 03 start runs: refused before a run folder is made.
        using var images = new HrImageCache();
        using (var chart = TestChart.Make(64)) images.Add(RgbImage.FromTensor(chart), "chart");
        string run = Path.Combine(_root, "run");
        Assert.Throws<ArgumentException>(() => Trainer.StartNew(new TrainOptions { Model = KbSr.Model.KbSrConfig.Test, ValidationSet = "Set5",
            Kernels = KbSr.Degradation.KernelDistribution.Isotropic(0.3, 1.5, KbSr.Model.KbSrConfig.Test.KernelSize) }, run, images));
        Assert.False(Directory.Exists(run));
    }

    /// <summary>The real BSDS200 validation images are none of the test images, compared by decoded pixels (a renamed or
    /// re-encoded copy would be caught; a name comparison would not).</summary>
    [SkippableFact]
    public void OnTheRealData_NoValidationImageIsATestImage_ByPixelContent()
    {
        string root = TestSetup.RequireDataRoot("BSDS200", "Set5", "Set14", "BSDS100");
        static string Hash(string path)
        {
            var image = ImageFile.Read(path);
            return $"{image.Width}x{image.Height}:" + Convert.ToHexStringLower(SHA256.HashData(image.Pixels));
        }
        var test = new[] { "Set5", "Set14", "BSDS100" }.SelectMany(s => ImageFile.ListImages(Path.Combine(root, s))).Select(Hash).ToHashSet();
        var val = DatasetSplit.Images("BSDS200:val", root);
        Assert.Equal(10, val.Count);
        Assert.Equal(190, DatasetSplit.Images("BSDS200:train", root).Count);
        foreach (string file in val) Assert.DoesNotContain(Hash(file), test);
        Assert.DoesNotContain(val, f => Path.GetFileNameWithoutExtension(f) == "302003");   // the Set5 img_005 scene
    }
}
