using Bpm.Cli;
using Bpm.Docs;

// bpm-docs man VERSION | bpm-docs completion: written to stdout.
return args switch
{
    ["man", var version] => Write(ManPage.Render(BpmCli.Tree(), version)),
    ["completion"] => Write(BashCompletion.Render(BpmCli.Tree())),
    _ => Usage(),
};

static int Write(string text)
{
    Console.Out.Write(text);
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: bpm-docs man VERSION | bpm-docs completion");
    return 2;
}
