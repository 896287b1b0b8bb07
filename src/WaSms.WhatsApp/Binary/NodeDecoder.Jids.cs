namespace WaSms.WhatsApp.Binary;

/// <summary>The four JID encodings: pair, AD (agent/device), Messenger and interop (docs/protocol/binary-nodes.md §5).</summary>
public static partial class NodeDecoder
{
    private ref partial struct Reader
    {
        private AttrValue ReadJidPair(int at)
        {
            string user = ReadPlainString("the user of a JID pair");
            int serverAt = _pos;
            string server = ReadPlainString("the server of a JID pair");
            if (server.Length == 0)
            {
                throw Error("a JID pair has an empty server", serverAt);
            }

            return MakeJid(user, server, null, 0, 0, at);
        }

        private AttrValue ReadAdJid(int at)
        {
            byte domain = ReadByte("the domain byte of an AD JID");
            byte device = ReadByte("the device byte of an AD JID");
            string user = ReadPlainString("the user of an AD JID");
            string server = JidServer.ServerForDomain(domain);
            byte agent = JidServer.IsDomainByte(domain) ? (byte)0 : domain;
            return MakeJid(user, server, device, agent, 0, at);
        }

        private AttrValue ReadFbJid(int at)
        {
            string user = ReadPlainString("the user of a Messenger JID");
            ushort device = ReadUInt16("the device of a Messenger JID");
            string server = ReadFixedServer("a Messenger JID", "a Messenger JID (FB_JID)", JidServer.Messenger);
            return MakeJid(user, server, device, 0, 0, at);
        }

        private AttrValue ReadInteropJid(int at)
        {
            string user = ReadPlainString("the user of an interop JID");
            ushort device = ReadUInt16("the device of an interop JID");
            ushort integrator = ReadUInt16("the integrator of an interop JID");
            string server = ReadFixedServer("an interop JID", "an interop JID", JidServer.Interop);
            return MakeJid(user, server, device, 0, integrator, at);
        }

        /// <summary>The server of a JID encoding that allows only one (<paramref name="expected"/>).</summary>
        private string ReadFixedServer(string jid, string rule, string expected)
        {
            int serverAt = _pos;
            string server = ReadPlainString($"the server of {jid}");
            if (server != expected)
            {
                throw Error($"{rule} must be on '{expected}', found '{server}'", serverAt);
            }

            return server;
        }

        private readonly AttrValue MakeJid(string user, string server, ushort? device, byte agent, ushort integrator, int at) =>
            Jid.TryCreate(user, server, device, agent, integrator, out string? problem) is { } jid
                ? jid
                : throw Error($"invalid JID: {problem}", at);
    }
}
