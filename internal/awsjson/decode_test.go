package awsjson

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/service"
	"github.com/frostyhq/frosty/internal/snowball"
)

const jobID = "JID123e4567-e89b-12d3-a456-426655440000"

// MustDecode decodes body into a new T and fails the test on an error.
func MustDecode[T any](tb testing.TB, body string) *T {
	tb.Helper()
	in := new(T)
	if err := decode([]byte(body), in); err != nil {
		tb.Fatalf("decode(%.200s): %v", body, err)
	}
	return in
}

// wantSerialization fails the test unless err is a SerializationException
// whose message is want.
func wantSerialization(tb testing.TB, err error, want string) {
	tb.Helper()
	e, ok := err.(*snowball.Error)
	if !ok || e.Code != snowball.Serialization {
		tb.Fatalf("error %v, want SerializationException %q", err, want)
	}
	if e.Message != want {
		tb.Errorf("message\n%q\nwant\n%q", e.Message, want)
	}
}

// nested has the shapes the model does not: a map, and structures in one.
type nested struct {
	Inner *inner           `json:"Inner,omitzero"`
	List  []inner          `json:"List,omitzero"`
	Tags  map[string]inner `json:"Tags,omitzero"`
	Any   any              `json:"Any,omitzero"`
	Small *int32           `json:"Small,omitzero"`
	Float *float32         `json:"Float,omitzero"`
	Skip  string           `json:"-"`
	NoTag *string
}

type inner struct {
	Name  *string `json:"Name,omitzero"`
	Inner *inner  `json:"Inner,omitzero"`
}

// TestDecodeExactMemberNames checks that a key names a member only when it
// is the member's exact name, at every depth, and that map keys are kept.
func TestDecodeExactMemberNames(t *testing.T) {
	t.Run("ErrLowerCaseIsUnknown", func(t *testing.T) {
		in := MustDecode[model.DescribeJobRequest](t, `{"jobid":"`+jobID+`"}`)
		if in.JobId != nil {
			t.Fatalf("jobid set JobId to %q", *in.JobId)
		}
		got := model.Validate(in).Error()
		want := "1 validation error detected: Value null at 'jobId' failed to satisfy constraint: Member must not be null"
		if got != want {
			t.Errorf("validation %q, want %q", got, want)
		}
	})
	t.Run("OKExactWinsOverCaseVariant", func(t *testing.T) {
		for _, body := range []string{
			`{"JobId":"` + jobID + `","jobid":"JIDx","JOBID":"JIDy"}`,
			`{"jobid":"JIDx","JobId":"` + jobID + `","JOBID":"JIDy"}`,
			`{"jobid":"JIDx","JOBID":"JIDy","JobId":"` + jobID + `"}`,
		} {
			if got := model.Deref(MustDecode[model.DescribeJobRequest](t, body).JobId); got != jobID {
				t.Errorf("decode(%s): JobId = %q, want %q", body, got, jobID)
			}
		}
	})
	t.Run("OKEscapedExactName", func(t *testing.T) {
		if got := model.Deref(MustDecode[model.DescribeJobRequest](t, `{"Job\u0049d":"`+jobID+`"}`).JobId); got != jobID {
			t.Errorf(`"Job\u0049d": JobId = %q, want %q`, got, jobID)
		}
	})
	t.Run("OKKelvinSignIsUnknown", func(t *testing.T) {
		// encoding/json folds U+212A KELVIN SIGN to k.
		in := MustDecode[model.CreateJobRequest](t, `{"\u212AmsKeyARN":"arn:aws:kms:us-east-1:123456789012:key/k"}`)
		if in.KmsKeyARN != nil {
			t.Errorf("KmsKeyARN = %q from a key with a Kelvin sign", *in.KmsKeyARN)
		}
	})
	t.Run("OKNestedStructure", func(t *testing.T) {
		in := MustDecode[model.CreateJobRequest](t, `{"JobType":"IMPORT","Resources":{"s3resources":[{"BucketArn":"arn:aws:s3:::a"}]},`+
			`"Notification":{"NotifyAll":true,"notifyall":false,"SnsTopicARN":"arn:aws:sns:us-east-1:123456789012:t","snstopicarn":"x"}}`)
		if in.JobType == nil || in.Resources == nil || in.Resources.S3Resources != nil {
			t.Errorf("JobType %v, Resources %+v: want IMPORT and no S3Resources", in.JobType, in.Resources)
		}
		if n := in.Notification; n == nil || !model.Deref(n.NotifyAll) || model.Deref(n.SnsTopicARN) != "arn:aws:sns:us-east-1:123456789012:t" {
			t.Errorf("Notification = %+v", n)
		}
	})
	t.Run("OKListOfStructures", func(t *testing.T) {
		in := MustDecode[model.CreateJobRequest](t, `{"Resources":{"S3Resources":[{"bucketArn":"arn:aws:s3:::a"},{"BucketArn":"arn:aws:s3:::b","keyrange":{"BeginMarker":"a"}}]}}`)
		want := []model.S3Resource{{}, {BucketArn: model.Ptr("arn:aws:s3:::b")}}
		if diff := cmp.Diff(want, in.Resources.S3Resources); diff != "" {
			t.Errorf("S3Resources (-want +got):\n%s", diff)
		}
	})
	t.Run("OKMapKeysKept", func(t *testing.T) {
		in := MustDecode[nested](t, `{"Tags":{"a":{"Name":"x","name":"y"},"A":{"NAME":"z"},"name":{}},"tags":{"b":{}},`+
			`"List":[{"Inner":{"Name":"n","inner":{}}}],"Any":{"Name":1,"name":2},"NoTag":"t","notag":"u","Skip":"s"}`)
		want := &nested{
			Tags:  map[string]inner{"a": {Name: model.Ptr("x")}, "A": {}, "name": {}},
			List:  []inner{{Inner: &inner{Name: model.Ptr("n")}}},
			Any:   map[string]any{"Name": 1.0, "name": 2.0},
			NoTag: model.Ptr("t"),
		}
		if diff := cmp.Diff(want, in, cmp.AllowUnexported(nested{})); diff != "" {
			t.Errorf("decode (-want +got):\n%s", diff)
		}
	})
}

func TestDecodeDuplicateKeys(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"ErrTopLevel", `{"JobId":"` + jobID + `","JobId":"` + jobID + `"}`, `Duplicate member "JobId" in a JSON object of the request body.`},
		{"ErrEscaped", `{"JobId":"a","Job\u0049d":"b"}`, `Duplicate member "JobId" in a JSON object of the request body.`},
		{"ErrUnknownMember", `{"Bogus":1,"JobId":"a","Bogus":2}`, `Duplicate member "Bogus" in a JSON object of the request body.`},
		{"ErrInsideIgnoredMember", `{"Bogus":{"x":1,"x":1}}`, `Duplicate member "x" in a JSON object of the request body.`},
		{"ErrManyKeys", `{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k3":3}`, `Duplicate member "k3" in a JSON object of the request body.`},
		{"ErrLongKeyTruncated", `{"` + strings.Repeat("k", 300) + `":1,"` + strings.Repeat("k", 300) + `":1}`,
			`Duplicate member "` + strings.Repeat("k", 256) + `...(truncated, 300 characters)" in a JSON object of the request body.`},
		{"ErrFirstInBody", `{"A":1,"A":2,"JobId":5}`, `Duplicate member "A" in a JSON object of the request body.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantSerialization(t, decode([]byte(tt.body), new(model.DescribeJobRequest)), tt.want)
		})
	}
	nestedTests := []struct{ name, body, want string }{
		{"ErrNested", `{"Inner":{"Name":"a","Name":"b"}}`, `Duplicate member "Name" in a JSON object of the request body.`},
		{"ErrInList", `{"List":[{},{"Inner":{"Inner":{"Name":"a","Name":"b"}}}]}`, `Duplicate member "Name" in a JSON object of the request body.`},
		{"ErrMapKey", `{"Tags":{"a":{},"b":{},"a":{}}}`, `Duplicate member "a" in a JSON object of the request body.`},
		{"ErrInMapValue", `{"Tags":{"a":{"Name":"x","Name":"y"}}}`, `Duplicate member "Name" in a JSON object of the request body.`},
	}
	for _, tt := range nestedTests {
		t.Run(tt.name, func(t *testing.T) {
			wantSerialization(t, decode([]byte(tt.body), new(nested)), tt.want)
		})
	}
	for _, body := range []string{
		`{"JobId":"` + jobID + `","jobId":"x","JOBID":"y"}`,
		`{"Tags":{"a":{},"A":{}}}`,
		`{"Inner":{"Name":"a","Inner":{"Name":"b"}},"List":[{"Name":"a"},{"Name":"a"}]}`,
	} {
		t.Run("OKNotDuplicate", func(t *testing.T) {
			if err := decode([]byte(body), new(nested)); err != nil {
				t.Errorf("decode(%s): %v", body, err)
			}
		})
	}
}

// TestDecodeNumbers checks that a number that does not fit its member is
// refused, never stored as some other value.
func TestDecodeNumbers(t *testing.T) {
	const storage = `{"OnDeviceServiceConfiguration":{"S3OnDeviceService":{"StorageLimit":%s}}}`
	const pickup = `{"PickupDetails":{"IdentificationExpirationDate":%s}}`
	tests := []struct{ name, body, want string }{
		{"ErrIntegerHuge", `{"MaxResults":1e300}`, "Number 1e300 for member MaxResults is out of range."},
		{"ErrIntegerFraction", `{"MaxResults":1.5}`, "Number 1.5 for member MaxResults is not an integer."},
		{"ErrIntegerOverflow", `{"MaxResults":99999999999999999999}`, "Number 99999999999999999999 for member MaxResults is out of range."},
		{"ErrIntegerNegativeOverflow", `{"MaxResults":-9223372036854775809}`, "Number -9223372036854775809 for member MaxResults is out of range."},
		{"ErrIntegerExponent", `{"MaxResults":1e2}`, "Number 1e2 for member MaxResults must be written without a fraction or exponent."},
		{"ErrIntegerFloatOverflow", `{"MaxResults":1e400}`, "Number 1e400 for member MaxResults is out of range."},
		{"ErrIntegerString", `{"MaxResults":"5"}`, "Unexpected JSON type string for member MaxResults."},
		{"ErrIntegerLongTruncated", `{"MaxResults":1` + strings.Repeat("0", 1000) + `}`,
			"Number 1" + strings.Repeat("0", 255) + "...(truncated, 1001 characters) for member MaxResults is out of range."},
		{"ErrDoubleOverflow", strings.Replace(storage, "%s", "1e400", 1),
			"Number 1e400 for member OnDeviceServiceConfiguration.S3OnDeviceService.StorageLimit is out of range."},
		{"ErrDoubleNegativeOverflow", strings.Replace(storage, "%s", "-1e400", 1),
			"Number -1e400 for member OnDeviceServiceConfiguration.S3OnDeviceService.StorageLimit is out of range."},
		{"ErrLongFraction", `{"OnDeviceServiceConfiguration":{"NFSOnDeviceService":{"StorageLimit":0.5}}}`,
			"Number 0.5 for member OnDeviceServiceConfiguration.NFSOnDeviceService.StorageLimit is not an integer."},
		{"ErrLongInList", `{"Resources":{"Ec2AmiResources":[{"AmiId":"ami-12345678"}]},"OnDeviceServiceConfiguration":{"EKSOnDeviceService":{"KubernetesVersion":1}}}`,
			"Unexpected JSON type number for member OnDeviceServiceConfiguration.EKSOnDeviceService.KubernetesVersion."},
		{"ErrTimestampHuge", strings.Replace(pickup, "%s", "1e300", 1),
			"Timestamp value 1e300 for member PickupDetails.IdentificationExpirationDate is out of range."},
		{"ErrTimestampOverflow", strings.Replace(pickup, "%s", "1e400", 1),
			"Timestamp value 1e400 for member PickupDetails.IdentificationExpirationDate is out of range."},
		{"ErrTimestampYear10000", strings.Replace(pickup, "%s", "253402300800", 1),
			"Timestamp value 253402300800 for member PickupDetails.IdentificationExpirationDate is out of range."},
		{"ErrTimestampString", strings.Replace(pickup, "%s", `"2016-12-24T00:51:15Z"`, 1),
			"Unexpected JSON type string for member PickupDetails.IdentificationExpirationDate."},
		{"ErrTimestampBool", strings.Replace(pickup, "%s", "true", 1),
			"Unexpected JSON type bool for member PickupDetails.IdentificationExpirationDate."},
		{"ErrFirstInBody", `{"MaxResults":1.5,"NextToken":5}`, "Number 1.5 for member MaxResults is not an integer."},
		{"ErrPathOfFirstOnly", `{"Resources":{"S3Resources":[{"KeyRange":{"BeginMarker":"a"}},{"BucketArn":"b","KeyRange":{"EndMarker":1}}]},` +
			`"OnDeviceServiceConfiguration":{"S3OnDeviceService":{"StorageLimit":1e400}}}`,
			"Unexpected JSON type number for member Resources.S3Resources.KeyRange.EndMarker."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in any = new(model.CreateJobRequest)
			if strings.HasPrefix(tt.body, `{"MaxResults"`) {
				in = new(model.ListJobsRequest)
			}
			wantSerialization(t, decode([]byte(tt.body), in), tt.want)
		})
	}
	t.Run("ErrNarrowTypes", func(t *testing.T) {
		wantSerialization(t, decode([]byte(`{"Small":2147483648}`), new(nested)), "Number 2147483648 for member Small is out of range.")
		wantSerialization(t, decode([]byte(`{"Small":-2.1474836490e9}`), new(nested)), "Number -2.1474836490e9 for member Small is out of range.")
		wantSerialization(t, decode([]byte(`{"Float":1e39}`), new(nested)), "Number 1e39 for member Float is out of range.")
	})
	t.Run("OKInRange", func(t *testing.T) {
		in := MustDecode[model.CreateJobRequest](t, `{"OnDeviceServiceConfiguration":{"S3OnDeviceService":{"StorageLimit":1e308,"ServiceSize":-9223372036854775808}},`+
			`"PickupDetails":{"IdentificationExpirationDate":1482540675.25}}`)
		s3 := in.OnDeviceServiceConfiguration.S3OnDeviceService
		if *s3.StorageLimit != 1e308 || *s3.ServiceSize != -9223372036854775808 {
			t.Errorf("StorageLimit %v ServiceSize %v", *s3.StorageLimit, *s3.ServiceSize)
		}
		if got := in.PickupDetails.IdentificationExpirationDate.Time; !got.Equal(time.UnixMilli(1482540675250)) {
			t.Errorf("IdentificationExpirationDate = %v", got)
		}
		small := MustDecode[nested](t, `{"Small":-2147483648,"Float":3.4e38}`)
		if *small.Small != -2147483648 || *small.Float != 3.4e38 {
			t.Errorf("Small %v Float %v", *small.Small, *small.Float)
		}
	})
	t.Run("OKNullLeavesUnset", func(t *testing.T) {
		in := MustDecode[model.CreateJobRequest](t, strings.Replace(pickup, "%s", "null", 1))
		if in.PickupDetails.IdentificationExpirationDate != nil {
			t.Errorf("IdentificationExpirationDate = %v from null", in.PickupDetails.IdentificationExpirationDate)
		}
	})
}

// TestDecode keeps what the decoder always did.
func TestDecodeKept(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"ErrArray", `[]`, "Start of structure or map expected; the request body must be a JSON object."},
		{"ErrNotJSONWhitespace", "\u00a0{}", "Start of structure or map expected; the request body must be a JSON object."},
		{"ErrSyntax", `{"JobId":`, "The request body is not valid JSON (at byte 9)."},
		{"ErrSyntaxAfterTypeError", `{"JobId":5,`, "The request body is not valid JSON (at byte 11)."},
		{"ErrSyntaxAfterDuplicate", `{"A":1,"A":1 x`, "The request body is not valid JSON (at byte 14)."},
		{"ErrTrailing", `{} {}`, "The request body is not valid JSON (at byte 4)."},
		{"ErrTooDeep", `{"Bogus":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`, "The request body is not valid JSON (at byte 10009)."},
		{"ErrWrongType", `{"JobId":5}`, "Unexpected JSON type number for member JobId."},
		{"ErrWrongTypeObject", `{"JobId":{"a":1}}`, "Unexpected JSON type object for member JobId."},
		{"ErrWrongTypeArray", `{"JobId":[1]}`, "Unexpected JSON type array for member JobId."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantSerialization(t, decode([]byte(tt.body), new(model.DescribeJobRequest)), tt.want)
		})
	}
	for _, body := range []string{"", " \r\n\t", `{}`, ` {"Bogus":[1,{"x":null}],"JobId":null} `, `{"Bogus":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`} {
		t.Run("OK", func(t *testing.T) {
			if err := decode([]byte(body), new(model.DescribeJobRequest)); err != nil {
				t.Errorf("decode(%.40q): %v", body, err)
			}
		})
	}
	t.Run("ErrWrongTypeInList", func(t *testing.T) {
		wantSerialization(t, decode([]byte(`{"Resources":{"S3Resources":[{"BucketArn":5}]}}`), new(model.CreateJobRequest)),
			"Unexpected JSON type number for member Resources.S3Resources.BucketArn.")
		wantSerialization(t, decode([]byte(`{"Notification":{"JobStatesToNotify":["New",{}]}}`), new(model.CreateJobRequest)),
			"Unexpected JSON type object for member Notification.JobStatesToNotify.")
		wantSerialization(t, decode([]byte(`{"Resources":{"S3Resources":{}}}`), new(model.CreateJobRequest)),
			"Unexpected JSON type object for member Resources.S3Resources.")
	})
}

// TestDecodeEveryInput decodes a body into each operation's input type, so
// that each type's shape is built and a type the scanner cannot follow
// fails here rather than in a request.
func TestDecodeEveryInput(t *testing.T) {
	for name, run := range Operations(&service.Service{}) {
		_, err := run(t.Context(), []byte(`{"bogus":1,"bogus":2}`))
		if snowball.ErrorCode(err) != snowball.Serialization {
			t.Errorf("%s: %v, want SerializationException", name, err)
		}
	}
}

// TestDecodeConcurrentFirstUse decodes into a type not seen before from
// many goroutines at once: run with -race.
func TestDecodeConcurrentFirstUse(t *testing.T) {
	type fresh struct {
		A *struct {
			B []struct {
				C *int64 `json:"C"`
			} `json:"B"`
		} `json:"A"`
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			in := new(fresh)
			if err := decode([]byte(`{"A":{"B":[{"C":1,"c":2}],"b":[]}}`), in); err != nil || *in.A.B[0].C != 1 {
				t.Errorf("decode: %v", err)
			}
		})
	}
	wg.Wait()
}

// TestEchoTruncated checks that no error message repeats a huge client
// value in full.
func TestEchoTruncated(t *testing.T) {
	huge := strings.Repeat("x", 1_000_000)
	t.Run("Validation", func(t *testing.T) {
		in := MustDecode[model.CreateAddressRequest](t, `{"Address":{"Street1":"`+huge+`"}}`)
		want := "1 validation error detected: Value '" + huge[:256] + "...(truncated, 1000000 characters)' at 'address.street1' " +
			"failed to satisfy constraint: Member must have length less than or equal to 1024"
		if got := model.Validate(in).Error(); got != want {
			t.Errorf("message of %d bytes, want %d: %.400q", len(got), len(want), got)
		}
	})
	t.Run("ValidationTenMembers", func(t *testing.T) {
		var b strings.Builder
		b.WriteString(`{"Address":{`)
		for i, m := range []string{"City", "Company", "Country", "Landmark", "Name", "PhoneNumber", "PostalCode", "PrefectureOrDistrict", "StateOrProvince", "Street1"} {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(`"` + m + `":"` + huge[:100_000] + `\n"`) // too long, and not matching .*
		}
		b.WriteString("}}")
		in := MustDecode[model.CreateAddressRequest](t, b.String())
		msg := model.Validate(in).Error()
		if !strings.HasPrefix(msg, "20 validation errors detected: ") || len(msg) > 4200 {
			t.Errorf("message of %d bytes: %.200q", len(msg), msg)
		}
	})
	t.Run("UnknownOperation", func(t *testing.T) {
		h := NewHandler(&service.Service{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		r := httptest.NewRequest("POST", "/", strings.NewReader("{}"))
		r.Header.Set("X-Amz-Target", model.TargetPrefix+"."+huge)
		w := httptest.NewRecorder()
		h.Serve(t.Context(), w, r, []byte("{}"))
		var body map[string]string
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		want := `Unknown operation "` + model.TargetPrefix + "." + huge[:256-len(model.TargetPrefix)-1] + `...(truncated, 1000034 characters)".`
		if body["__type"] != snowball.UnknownOperation || body["message"] != want {
			t.Errorf("body %.400v, want message %.400q", body, want)
		}
	})
	t.Run("WrongTypeFallback", func(t *testing.T) {
		// A type the scanner leaves to encoding/json, which echoes the number.
		var in struct {
			N json.Number `json:"N"`
			B []byte      `json:"B"`
		}
		err := decode([]byte(`{"B":1`+strings.Repeat("0", 1000)+`}`), &in)
		wantSerialization(t, err, "Unexpected JSON type number for member B.")
		err = decode([]byte(`{"B":"`+strings.Repeat("!", 1000)+`"}`), &in)
		if e, _ := err.(*snowball.Error); e == nil || e.Code != snowball.Serialization || len(e.Message) > 400 {
			t.Errorf("bad base64: %.500v", err)
		}
	})
}

// FuzzDecodeValidate feeds arbitrary bodies through the decoder and the
// model's validation of the largest input shape: an error is fine, a panic
// or a non-Serialization decode error is not. The decoder must agree with
// encoding/json on what is JSON.
func FuzzDecodeValidate(f *testing.F) {
	for _, seed := range []string{
		`{}`, `{"JobType":"IMPORT","Resources":{"S3Resources":[{"BucketArn":"arn:aws:s3:::b","KeyRange":{}}]}}`,
		`{"PickupDetails":{"Email":"a@b.co","PhoneNumber":"+1 206 555 0100"}}`, `{"Notification":{"JobStatesToNotify":["New",null]}}`,
		`{"OnDeviceServiceConfiguration":{"S3OnDeviceService":{"StorageLimit":1e308,"ServiceSize":-1}}}`, `[`, "\xff",
		`{"jobtype":"IMPORT","JobType":"EXPORT"}`, `{"JobType":"IMPORT","Job\u0054ype":"EXPORT"}`, `{"PickupDetails":{"IdentificationExpirationDate":1e300}}`,
		`{"Resources":{"S3Resources":[{"bucketarn":"x","BucketArn":"arn:aws:s3:::b"}]},"a\"b":"\ud800"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in model.CreateJobRequest
		err := decode(body, &in)
		valid := json.Valid(body) || len(bytes.Trim(body, " \t\r\n")) == 0
		if err != nil {
			if code := snowball.ErrorCode(err); code != snowball.Serialization {
				t.Fatalf("decode error code %s, want SerializationException", code)
			}
			msg := err.(*snowball.Error).Message
			notJSON := strings.HasPrefix(msg, "The request body is not valid JSON")
			notObject := strings.HasPrefix(msg, "Start of structure or map expected")
			// json.Valid lets invalid UTF-8 through in strings; decode
			// refuses any, and may say so before it checks the syntax.
			notUTF8 := strings.HasPrefix(msg, "The request body is not valid UTF-8")
			object := bytes.HasPrefix(bytes.Trim(body, " \t\r\n"), []byte("{"))
			if notUTF8 && utf8.Valid(body) || object && !utf8.Valid(body) && !notUTF8 {
				t.Fatalf("utf8.Valid %v, decode says %q", utf8.Valid(body), msg)
			}
			if valid && notJSON || !valid && !notJSON && !notObject && !notUTF8 {
				t.Fatalf("json.Valid %v, decode says %q", valid, msg)
			}
			return
		}
		if !valid || !utf8.Valid(body) {
			t.Fatalf("decode took a body that is not JSON in UTF-8")
		}
		if v := model.Validate(&in); v != nil && !strings.Contains(v.Error(), "validation error") {
			t.Fatalf("odd violations %v", v)
		}
	})
}

// BenchmarkDecodeDescribeJob is the decoder's share of the hot path.
func BenchmarkDecodeDescribeJob(b *testing.B) {
	body := []byte(`{"JobId":"` + jobID + `"}`)
	b.ReportAllocs()
	for b.Loop() {
		var in model.DescribeJobRequest
		if err := decode(body, &in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeCreateJob is a typical CreateJob body.
func BenchmarkDecodeCreateJob(b *testing.B) {
	body := []byte(`{"JobType":"IMPORT","Resources":{"S3Resources":[{"BucketArn":"arn:aws:s3:::bench"}]},"Description":"bench",` +
		`"AddressId":"ADID123e4567-e89b-12d3-a456-426655440000","ShippingOption":"SECOND_DAY","SnowballType":"EDGE"}`)
	b.ReportAllocs()
	for b.Loop() {
		var in model.CreateJobRequest
		if err := decode(body, &in); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDecodeInvalidUTF8: a body that is not UTF-8 is refused, where
// encoding/json would store U+FFFD in place of the bytes sent.
func TestDecodeInvalidUTF8(t *testing.T) {
	for name, body := range map[string]string{
		"InString":      "{\"JobId\":\"JID\xff\"}",
		"InUnknownKey":  "{\"\xff\":1}",
		"Truncated":     "{\"JobId\":\"\xe2\x82\"}",
		"Surrogate":     "{\"JobId\":\"\xed\xa0\x80\"}",
		"OverlongSlash": "{\"JobId\":\"\xc0\xaf\"}",
	} {
		t.Run(name, func(t *testing.T) {
			err := decode([]byte(body), &model.DescribeJobRequest{})
			if snowball.ErrorCode(err) != snowball.Serialization || !strings.Contains(err.Error(), "not valid UTF-8") {
				t.Errorf("decode(%q) = %v, want a SerializationException about UTF-8", body, err)
			}
		})
	}
	var in model.DescribeJobRequest
	if err := decode([]byte(`{"JobId":"JIDé✓"}`), &in); err != nil || *in.JobId != "JIDé✓" {
		t.Errorf("valid UTF-8: %v, %v", err, in.JobId)
	}
}
