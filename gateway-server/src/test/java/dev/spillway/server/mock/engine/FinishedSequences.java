package dev.spillway.server.mock.engine;

/** Builds sequences as the engine leaves them when they finish, for tests outside this package. */
public final class FinishedSequences {
  private FinishedSequences() {}

  public static Sequence of(int promptTokens, int answerTokens, boolean lengthLimited) {
    Sequence seq = new Sequence(new LengthSampler.Asked(promptTokens, answerTokens), new SequenceListener() {
      @Override
      public void onTokens(int count) {}

      @Override
      public void onFinished(Sequence sequence) {}

      @Override
      public void onRejected(Sequence sequence, Rejection rejection) {}
    });
    seq.promptTokens = promptTokens;
    seq.answerTokens = answerTokens;
    seq.lengthLimited = lengthLimited;
    seq.generated = answerTokens;
    seq.state = Sequence.State.FINISHED;
    return seq;
  }
}
