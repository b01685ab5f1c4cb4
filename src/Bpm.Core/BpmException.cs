namespace Bpm;

// A failure the operator can act on: shown as "Error: <message>" with exit status 1.
public class BpmException(string message, Exception? inner = null) : Exception(message, inner);
