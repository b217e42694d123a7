using KbSr.Imaging;
using static TorchSharp.torch;

namespace KbSr.Training;

/// <summary>
/// HR training images, decoded once and kept as 8-bit tensors [3,H,W] on the CPU (a quarter of the
/// float32 footprint: T91 + BSDS200 take ~110 MB). Images smaller than the training crop are skipped
/// with one warning line naming them (docs/design.md §3.5).
/// </summary>
public sealed class HrImageCache : IDisposable
{
    private readonly List<Tensor> _images = [];
    private readonly List<string> _names = [];

    public IReadOnlyList<string> Names => _names;

    /// <summary>The training sets the images were loaded from (empty for a cache built by hand).</summary>
    public IReadOnlyList<string> Sets { get; private set; } = [];

    /// <summary>The size filter the images passed (0 for a cache built by hand).</summary>
    public int MinSize { get; private set; }
    public int Count => _images.Count;

    /// <summary>An 8-bit image [3,H,W] (uint8, CPU). Owned by the cache: do not dispose.</summary>
    public Tensor this[int index] => _images[index];

    /// <summary>Reads every image of <paramref name="folders"/> (in sorted order, folder by folder).</summary>
    /// <param name="folders">Folders of HR images.</param>
    /// <param name="minSize">Smallest height and width accepted (the HR crop size).</param>
    /// <param name="warn">Where skip warnings go (default: stderr).</param>
    /// <param name="sets">The sets' names (default: the folders' names), recorded as <see cref="Sets"/>.</param>
    public static HrImageCache Load(IEnumerable<string> folders, int minSize, Action<string>? warn = null, IReadOnlyList<string>? sets = null) =>
        Load(folders.Select(f => (f, ImageFile.ListImages(f))), minSize, warn, sets);

    /// <summary>As <see cref="Load(IEnumerable{string}, int, Action{string}?, IReadOnlyList{string}?)"/>, for chosen files of each
    /// folder (a split of a set, <see cref="Data.DatasetSplit"/>).</summary>
    public static HrImageCache Load(IEnumerable<(string Folder, IReadOnlyList<string> Files)> sources, int minSize, Action<string>? warn = null,
        IReadOnlyList<string>? sets = null)
    {
        warn ??= Console.Error.WriteLine;
        var list = sources.ToList();
        var folders = list.Select(s => s.Folder).ToList();
        var cache = new HrImageCache
        {
            MinSize = minSize,
            Sets = sets ?? [.. folders.Select(f => Path.GetFileName(f.TrimEnd('/', '\\')))],
        };
        foreach (var (folder, files) in list)
        {
            foreach (string path in files)
            {
                var image = ImageFile.Read(path);
                if (image.Width < minSize || image.Height < minSize)
                {
                    warn($"warning: skipping {path}: {image.Width}×{image.Height} is smaller than the {minSize}×{minSize} HR crop");
                    continue;
                }
                cache.Add(image, Path.Combine(Path.GetFileName(folder.TrimEnd('/', '\\')), Path.GetFileName(path)));
            }
        }
        if (cache.Count == 0)
            throw new InvalidDataException(
                $"no training image of at least {minSize}×{minSize} in {string.Join(", ", folders)}");
        return cache;
    }

    /// <summary>Throws when this cache was loaded for other settings than <paramref name="options"/> (other sets, or
    /// another patch size and hence another size filter): a resumed run would then see other batches.</summary>
    public void EnsureLoadedFor(TrainOptions options, string source)
    {
        if (Sets.Count > 0 && options.Data.Count > 0 && !Sets.SequenceEqual(options.Data))
            throw new ArgumentException($"the training images come from {string.Join(",", Sets)}, but {source} trained on " +
                                        $"{string.Join(",", options.Data)}: load the run's own sets");
        if (MinSize > 0 && MinSize != options.HrPatch)
            throw new ArgumentException($"the training images were filtered for a {MinSize}-pixel patch, but {source} trains " +
                                        $"{options.HrPatch}-pixel patches: load them with the run's options");
    }

    /// <summary>Adds one image (used by tests and notebooks that build a cache by hand).</summary>
    public void Add(RgbImage image, string name)
    {
        // HWC bytes -> CHW uint8 tensor; one copy, no per-pixel loop.
        using var hwc = tensor(image.Pixels, new long[] { image.Height, image.Width, 3 }, ScalarType.Byte);
        _images.Add(hwc.permute(2, 0, 1).contiguous());
        _names.Add(name);
    }

    public void Dispose()
    {
        foreach (var t in _images) t.Dispose();
        _images.Clear();
    }
}
