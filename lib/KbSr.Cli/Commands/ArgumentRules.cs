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

    public static int Tile(int tile, string option = "--tile") =>
        tile == 0 || tile >= MinTile ? tile
            : throw new ArgumentException($"{option} {tile}: expected 0 (whole images) or at least {MinTile} LR pixels");

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
