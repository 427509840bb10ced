/* Runs one signature of a SavedModel through the TensorFlow C API.
 *
 * The load path of TF Serving: TF_LoadSessionFromSavedModel with the "serve"
 * tag, then one session run fed and fetched by the tensor names that the
 * signature's SignatureDef gives. No Python is involved.
 *
 * usage: run_signature EXPORT_DIR INPUT_TENSOR float|int64 ROWS WIDTH IN.bin
 *                      OUTPUT_TENSOR OUT.bin [LABEL_TENSOR LABEL_ROWS LABELS.bin]
 *   INPUT_TENSOR, OUTPUT_TENSOR: "operation:index" names from the SignatureDef.
 *   LABEL_TENSOR: a second input, int64 [LABEL_ROWS], for the labelled
 *   signatures of a class-conditional generator.
 *   WIDTH: 0 for a rank-1 input [ROWS], else the input is [ROWS, WIDTH].
 *   IN.bin: the input values, raw little-endian; OUT.bin receives the float32
 *   output, raw, or a string output's elements as UTF-8, each followed by a
 *   newline. Prints the output shape, e.g. "shape 2 28 28 1".
 * Exits 1 with TensorFlow's message on stderr when TensorFlow reports an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tensorflow/c/c_api.h"
#include "tensorflow/c/tf_tstring.h"

static void check(TF_Status *status, const char *what) {
  if (TF_GetCode(status) != TF_OK) {
    fprintf(stderr, "%s: %s\n", what, TF_Message(status));
    exit(1);
  }
}

static TF_Output find_output(TF_Graph *graph, const char *name) {
  char operation[512];
  const char *colon = strrchr(name, ':');
  size_t length = colon ? (size_t)(colon - name) : strlen(name);
  if (length >= sizeof operation) {
    fprintf(stderr, "tensor name too long: %s\n", name);
    exit(2);
  }
  memcpy(operation, name, length);
  operation[length] = '\0';
  TF_Output output = {TF_GraphOperationByName(graph, operation),
                      colon ? atoi(colon + 1) : 0};
  if (output.oper == NULL) {
    fprintf(stderr, "no operation %s in the graph\n", operation);
    exit(2);
  }
  return output;
}

static void *read_file(const char *path, size_t size) {
  void *data = malloc(size ? size : 1);
  FILE *file = fopen(path, "rb");
  if (file == NULL || fread(data, 1, size, file) != size) {
    fprintf(stderr, "cannot read %zu bytes from %s\n", size, path);
    exit(2);
  }
  fclose(file);
  return data;
}

/* Writes a tensor's values: raw bytes, or each string and a newline. */
static int write_output(TF_Tensor *tensor, FILE *file) {
  if (TF_TensorType(tensor) != TF_STRING) {
    size_t bytes = TF_TensorByteSize(tensor);
    return fwrite(TF_TensorData(tensor), 1, bytes, file) == bytes;
  }
  const TF_TString *strings = TF_TensorData(tensor);
  int64_t count = TF_TensorElementCount(tensor);
  for (int64_t index = 0; index < count; ++index) {
    size_t size = TF_StringGetSize(&strings[index]);
    if (fwrite(TF_StringGetDataPointer(&strings[index]), 1, size, file) != size ||
        fputc('\n', file) == EOF) {
      return 0;
    }
  }
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 9 && argc != 12) {
    fprintf(stderr, "usage: %s EXPORT_DIR INPUT_TENSOR float|int64 ROWS WIDTH "
                    "IN.bin OUTPUT_TENSOR OUT.bin [LABEL_TENSOR LABEL_ROWS "
                    "LABELS.bin]\n", argv[0]);
    return 2;
  }
  const char *export_dir = argv[1];
  TF_DataType dtype = strcmp(argv[3], "int64") == 0 ? TF_INT64 : TF_FLOAT;
  int64_t dims[2] = {atoll(argv[4]), atoll(argv[5])};
  int rank = dims[1] == 0 ? 1 : 2;
  size_t count = (size_t)dims[0] * (size_t)(rank == 2 ? dims[1] : 1);
  size_t bytes = count * TF_DataTypeSize(dtype);

  TF_Status *status = TF_NewStatus();
  TF_Graph *graph = TF_NewGraph();
  TF_SessionOptions *options = TF_NewSessionOptions();
  const char *tags[] = {"serve"};
  TF_Session *session = TF_LoadSessionFromSavedModel(
      options, NULL, export_dir, tags, 1, graph, NULL, status);
  check(status, "loading the SavedModel");

  TF_Output inputs[2] = {find_output(graph, argv[2])};
  TF_Output output = find_output(graph, argv[7]);
  TF_Tensor *input_tensors[2] = {TF_AllocateTensor(dtype, dims, rank, bytes)};
  void *values = read_file(argv[6], bytes);
  memcpy(TF_TensorData(input_tensors[0]), values, bytes);
  free(values);
  int input_count = 1;
  if (argc == 12) {
    int64_t label_rows = atoll(argv[10]);
    size_t label_bytes = (size_t)label_rows * sizeof(int64_t);
    inputs[1] = find_output(graph, argv[9]);
    input_tensors[1] = TF_AllocateTensor(TF_INT64, &label_rows, 1, label_bytes);
    void *labels = read_file(argv[11], label_bytes);
    memcpy(TF_TensorData(input_tensors[1]), labels, label_bytes);
    free(labels);
    input_count = 2;
  }

  TF_Tensor *output_tensor = NULL;
  TF_SessionRun(session, NULL, inputs, input_tensors, input_count, &output,
                &output_tensor, 1, NULL, 0, NULL, status);
  check(status, "running the signature");

  printf("shape");
  for (int axis = 0; axis < TF_NumDims(output_tensor); ++axis) {
    printf(" %lld", (long long)TF_Dim(output_tensor, axis));
  }
  printf("\n");
  FILE *file = fopen(argv[8], "wb");
  if (file == NULL || !write_output(output_tensor, file)) {
    fprintf(stderr, "cannot write %s\n", argv[8]);
    return 2;
  }
  fclose(file);

  for (int index = 0; index < input_count; ++index) {
    TF_DeleteTensor(input_tensors[index]);
  }
  TF_DeleteTensor(output_tensor);
  TF_CloseSession(session, status);
  TF_DeleteSession(session, status);
  TF_DeleteSessionOptions(options);
  TF_DeleteGraph(graph);
  TF_DeleteStatus(status);
  return 0;
}
