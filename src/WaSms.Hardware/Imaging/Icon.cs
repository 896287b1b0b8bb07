namespace WaSms.Hardware.Imaging;

/// <summary>
/// A small 1-bit picture drawn from rows of text ('#' dark, anything else light): the screens'
/// icons live in code, so no image library or asset pipeline is needed.
/// </summary>
public sealed class Icon
{
    private readonly string[] _rows;

    private Icon(string name, params string[] rows)
    {
        Name = name;
        _rows = rows;
        Width = rows.Max(r => r.Length);
    }

    public string Name { get; }

    public int Width { get; }

    public int Height => _rows.Length;

    /// <summary>Draws the icon with its top-left corner at (x, y), every pixel <paramref name="scale"/> × <paramref name="scale"/>.</summary>
    public void Draw(MonoFrame frame, int x, int y, int scale = 1, bool dark = true)
    {
        ArgumentNullException.ThrowIfNull(frame);
        for (var row = 0; row < _rows.Length; row++)
        {
            for (var col = 0; col < _rows[row].Length; col++)
            {
                if (_rows[row][col] == '#')
                {
                    frame.FillRectangle(x + col * scale, y + row * scale, scale, scale, dark);
                }
            }
        }
    }

    public static Icon Hourglass { get; } = new("hourglass",
        "############",
        ".#........#.",
        ".#........#.",
        "..#......#..",
        "...#.##.#...",
        "....####....",
        "....#..#....",
        "...#.##.#...",
        "..#.####.#..",
        ".#.######.#.",
        ".##########.",
        "############");

    public static Icon Phone { get; } = new("phone",
        "..########..",
        "..#......#..",
        "..#.####.#..",
        "..#.#..#.#..",
        "..#.####.#..",
        "..#......#..",
        "..#.#.##.#..",
        "..#......#..",
        "..#.##.#.#..",
        "..#......#..",
        "..#..##..#..",
        "..########..");

    public static Icon Link { get; } = new("link",
        "............",
        "......####..",
        ".....#....#.",
        ".....#....#.",
        "....#.#...#.",
        "...#...#.#..",
        "..#.#...#...",
        ".#...#.#....",
        ".#....#.....",
        ".#....#.....",
        "..####......",
        "............");

    public static Icon BrokenLink { get; } = new("broken-link",
        "#...........",
        ".#....####..",
        "..#..#....#.",
        ".....#....#.",
        "......#...#.",
        "..........#.",
        ".#..........",
        ".#...#......",
        ".#....#.....",
        ".#....#..#..",
        "..####....#.",
        "...........#");

    public static Icon Signal { get; } = new("signal",
        "..........##",
        "..........##",
        "..........##",
        ".......##.##",
        ".......##.##",
        ".......##.##",
        "....##.##.##",
        "....##.##.##",
        "....##.##.##",
        ".##.##.##.##",
        ".##.##.##.##",
        ".##.##.##.##");

    public static Icon Check { get; } = new("check",
        "............",
        "...........#",
        "..........##",
        ".........##.",
        "........##..",
        "#......##...",
        "##....##....",
        ".##..##.....",
        "..####......",
        "...##.......",
        "............",
        "............");

    public static Icon Warning { get; } = new("warning",
        ".....##.....",
        ".....##.....",
        "....#..#....",
        "....#..#....",
        "...#.##.#...",
        "...#.##.#...",
        "..#..##..#..",
        "..#..##..#..",
        ".#........#.",
        ".#...##...#.",
        "#..........#",
        "############");

    public static Icon Download { get; } = new("download",
        ".....##.....",
        ".....##.....",
        ".....##.....",
        ".....##.....",
        "..#..##..#..",
        "...#.##.#...",
        "....####....",
        ".....##.....",
        "............",
        "#..........#",
        "#..........#",
        "############");

    public static Icon Clock { get; } = new("clock",
        "...######...",
        "..#......#..",
        ".#...##...#.",
        "#....##....#",
        "#....##....#",
        "#....####..#",
        "#.....###..#",
        "#..........#",
        "#..........#",
        ".#........#.",
        "..#......#..",
        "...######...");

    public static Icon Reset { get; } = new("reset",
        "...#####....",
        "..#.....#.#.",
        ".#.......##.",
        "#.......###.",
        "#...........",
        "#...........",
        "#...........",
        "#..........#",
        ".#........#.",
        "..#......#..",
        "...######...",
        "............");

    public static Icon Cross { get; } = new("cross",
        "##........##",
        "###......###",
        ".###....###.",
        "..###..###..",
        "...######...",
        "....####....",
        "....####....",
        "...######...",
        "..###..###..",
        ".###....###.",
        "###......###",
        "##........##");

    public static Icon Button { get; } = new("button",
        "....####....",
        "....####....",
        "....####....",
        "....####....",
        "..########..",
        ".##########.",
        "############",
        "#..........#",
        "#..........#",
        "############",
        "............",
        "............");

    /// <summary>Every icon, for tests that check they are all the same size.</summary>
    public static IReadOnlyList<Icon> All { get; } = [Hourglass, Phone, Link, BrokenLink, Signal, Check, Warning, Download, Clock, Reset, Cross, Button];
}
