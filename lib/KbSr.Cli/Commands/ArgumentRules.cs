using System.CommandLine;
using KbSr.Evaluation;

namespace KbSr.Cli.Commands;

/// <summary>
/// The limits on command-line values, in one place, so every command applies the same rule and names the argument:
/// σ in [0, <see cref="EvalOptions.MaxSigma"/>], image counts ≥ 0, tiles of at least <see cref="MinTile"/> LR pixels
/// (smaller ones take minutes for nothing), a margin of at most one tile, and no option that another one would
/// silently override.
/// </summary>
internal static class ArgumentRules
{
    /// <summary>Smallest tile side (LR pixels): below it the context a margin adds costs more than the tile itself.</summary>
    public const int MinTile = 16;

    /// <summary>Largest tile side (LR pixels): a tile this large is a whole image of any test set.</summary>
    public const int MaxTile = 8192;

    public static int Tile(int tile, string option = "--tile") =>
        tile == 0 || tile >= MinTile && tile <= MaxTile ? tile
            : throw new ArgumentException($"{option} {tile}: expected 0 (whole images) or {MinTile} … {MaxTile} LR pixels");

    /// <summary>A positive, finite number (learning rates).</summary>
    public static double Positive(double value, string option) =>
        value > 0 && double.IsFinite(value) ? value : throw new ArgumentException($"{option} {value}: expected a positive finite number");

    /// <summary>Seconds: 0 (none) or a positive, finite number.</summary>
    public static double Seconds(double value, string option) =>
        value >= 0 && double.IsFinite(value) ? value : throw new ArgumentException($"{option} {value}: expected 0 (no limit) or a positive number of seconds");

    /// <summary>An output prefix or file name: not empty, not a folder.</summary>
    public static string OutputPath(string? path, string option) =>
        string.IsNullOrWhiteSpace(path) ? throw new ArgumentException($"{option}: expected a file name or prefix, got an empty one")
        : path.EndsWith('/') || Directory.Exists(path) ? throw new ArgumentException($"{option} {path}: is a folder; expected a file name or prefix inside one")
        : path;

    /// <summary>The largest context allowed when tiles are chosen automatically: far more than any preset's receptive field.</summary>
    public const int MaxMargin = 96;

    /// <summary>The context around a tile: 0 … the tile side (more would process mostly context); with automatic tiles
    /// (<paramref name="tile"/> 0), 0 … <see cref="MaxMargin"/>.</summary>
    public static int Margin(int margin, int tile) =>
        margin >= 0 && margin <= (tile == 0 ? MaxMargin : tile) ? margin
            : throw new ArgumentException(tile == 0 ? $"--margin {margin}: expected 0 … {MaxMargin}"
                                                    : $"--margin {margin}: expected 0 … {tile} (at most the --tile side)");

    public static int MaxImages(int count) =>
        count >= 0 ? count : throw new ArgumentException($"--max-images {count}: expected a positive count (or 0 = every image)");

    /// <summary>Whether the user typed <paramref name="option"/> (rather than getting its default).</summary>
    public static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };
}
