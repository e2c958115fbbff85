/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <string.h>

#include "rtm-protocol.h"

static JsonObject *
parse_ok (const char *text, RtmFrameType expected)
{
  g_autoptr(GError) error = NULL;
  RtmFrameType type;
  JsonObject *frame = rtm_frame_parse (text, strlen (text), 0, &type, NULL, &error);

  ck_assert_msg (frame != NULL, "\"%s\" did not parse: %s", text, error ? error->message : "?");
  ck_assert_int_eq (type, expected);
  return frame;
}

static void
assert_parse_error (const char *text, gsize max, RtmWireError code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) frame = rtm_frame_parse (text, strlen (text), max, NULL, NULL, &error);

  ck_assert_ptr_null (frame);
  ck_assert_msg (g_error_matches (error, RTM_WIRE_ERROR, code),
                 "\"%s\": expected %s, got %s", text, rtm_wire_error_to_string (code),
                 error ? error->message : "no error");
}

START_TEST (test_every_frame_type_round_trips_by_name)
{
  for (guint t = RTM_FRAME_UNKNOWN + 1; t < RTM_FRAME_N_TYPES; t++)
    {
      g_autoptr(JsonObject) frame = rtm_frame_new ((RtmFrameType) t);
      g_autofree char *data = NULL;
      g_autoptr(JsonObject) back = NULL;
      gsize len = 0;

      data = rtm_frame_to_data (frame, &len);
      ck_assert_uint_eq (len, strlen (data));
      back = parse_ok (data, (RtmFrameType) t);
      ck_assert_str_eq (json_object_get_string_member (back, "type"),
                        rtm_frame_type_to_string ((RtmFrameType) t));
    }
}
END_TEST

START_TEST (test_malformed_frames_are_named)
{
  assert_parse_error ("{\"type\": \"login\"", 0, RTM_WIRE_BAD_FRAME);
  assert_parse_error ("[1, 2]", 0, RTM_WIRE_BAD_FRAME);
  assert_parse_error ("\"login\"", 0, RTM_WIRE_BAD_FRAME);
  assert_parse_error ("", 0, RTM_WIRE_BAD_FRAME);
  assert_parse_error ("{\"type\": \"nope\"}", 0, RTM_WIRE_UNKNOWN_TYPE);
  assert_parse_error ("{\"type\": 3}", 0, RTM_WIRE_UNKNOWN_TYPE);
  assert_parse_error ("{}", 0, RTM_WIRE_UNKNOWN_TYPE);
  assert_parse_error ("{\"type\": \"ping\", \"pad\": \"xxxxxxxxxxxxxxxxxxxx\"}", 16, RTM_WIRE_TOO_LARGE);
  assert_parse_error ("{\"type\": \"ping\", \"x\": \"\xff\xfe\"}", 0, RTM_WIRE_BAD_FRAME);
}
END_TEST

START_TEST (test_unknown_type_still_exposes_req)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = NULL;
  const char *text = "{\"type\": \"frobnicate\", \"req\": 42}";
  JsonObject *frame = rtm_frame_parse (text, strlen (text), 0, NULL, &object, &error);
  gint64 req = 0;

  ck_assert_ptr_null (frame);
  ck_assert_ptr_nonnull (object);
  ck_assert (rtm_frame_get_req (object, &req, NULL));
  ck_assert_int_eq (req, 42);
}
END_TEST

START_TEST (test_field_readers_name_the_member)
{
  g_autoptr(JsonObject) frame =
    parse_ok ("{\"type\": \"invite\", \"req\": 3, \"callee\": \"bob\", \"content\": 5,"
              " \"channel\": \"bad id\", \"n\": 1.5, \"flag\": true, \"uids\": [\"a\", 2]}",
              RTM_FRAME_INVITE);
  g_autoptr(GError) error = NULL;
  gint64 value = 0;
  gboolean flag = FALSE;

  ck_assert_str_eq (rtm_frame_get_id (frame, "callee", TRUE, NULL), "bob");

  ck_assert_ptr_null (rtm_frame_get_string (frame, "content", FALSE, 0, &error));
  ck_assert (g_error_matches (error, RTM_WIRE_ERROR, RTM_WIRE_BAD_FIELD));
  ck_assert_ptr_nonnull (strstr (error->message, "content"));
  g_clear_error (&error);

  ck_assert_ptr_null (rtm_frame_get_id (frame, "channel", FALSE, &error));
  ck_assert (g_error_matches (error, RTM_WIRE_ERROR, RTM_WIRE_BAD_FIELD));
  g_clear_error (&error);

  ck_assert_ptr_null (rtm_frame_get_string (frame, "absent", TRUE, 0, &error));
  ck_assert (g_error_matches (error, RTM_WIRE_ERROR, RTM_WIRE_MISSING_FIELD));
  ck_assert_ptr_nonnull (strstr (error->message, "absent"));
  g_clear_error (&error);

  ck_assert_ptr_null (rtm_frame_get_string (frame, "absent", FALSE, 0, &error));
  ck_assert_ptr_null (error);

  ck_assert (!rtm_frame_get_int (frame, "n", TRUE, 0, &value, &error));
  ck_assert (g_error_matches (error, RTM_WIRE_ERROR, RTM_WIRE_BAD_FIELD));
  g_clear_error (&error);

  ck_assert (rtm_frame_get_int (frame, "req", TRUE, 0, &value, NULL));
  ck_assert_int_eq (value, 3);
  ck_assert (rtm_frame_get_int (frame, "absent", FALSE, 17, &value, NULL));
  ck_assert_int_eq (value, 17);
  ck_assert (rtm_frame_get_bool (frame, "flag", TRUE, FALSE, &flag, NULL));
  ck_assert (flag);

  ck_assert_ptr_null (rtm_frame_get_id_array (frame, "uids", 10, &error));
  ck_assert (g_error_matches (error, RTM_WIRE_ERROR, RTM_WIRE_BAD_FIELD));
}
END_TEST

START_TEST (test_string_limits_are_enforced)
{
  g_autoptr(JsonObject) frame = rtm_frame_new (RTM_FRAME_INVITE);
  g_autofree char *big = g_strnfill (RTM_MAX_CONTENT_LENGTH + 1, 'x');
  g_autoptr(GError) error = NULL;

  json_object_set_string_member (frame, "content", big);
  ck_assert_ptr_null (rtm_frame_get_string (frame, "content", TRUE, RTM_MAX_CONTENT_LENGTH, &error));
  ck_assert (g_error_matches (error, RTM_WIRE_ERROR, RTM_WIRE_TOO_LARGE));

  big[RTM_MAX_CONTENT_LENGTH] = '\0';
  json_object_set_string_member (frame, "content", big);
  ck_assert_ptr_nonnull (rtm_frame_get_string (frame, "content", TRUE, RTM_MAX_CONTENT_LENGTH, NULL));
}
END_TEST

START_TEST (test_ids_follow_the_documented_set)
{
  g_autofree char *max = g_strnfill (RTM_MAX_ID_LENGTH, 'a');
  g_autofree char *over = g_strnfill (RTM_MAX_ID_LENGTH + 1, 'a');

  ck_assert (rtm_id_is_valid ("alice"));
  ck_assert (rtm_id_is_valid ("a.b-c_d@e:f[1]{2}~,"));
  ck_assert (rtm_id_is_valid (max));
  ck_assert (!rtm_id_is_valid (over));
  ck_assert (!rtm_id_is_valid (""));
  ck_assert (!rtm_id_is_valid (NULL));
  ck_assert (!rtm_id_is_valid ("has space"));
  ck_assert (!rtm_id_is_valid ("quote\""));
  ck_assert (!rtm_id_is_valid ("slash/"));
  ck_assert (!rtm_id_is_valid ("caf\xc3\xa9"));
}
END_TEST

START_TEST (test_invitation_ids_are_unique_hex)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (int i = 0; i < 1000; i++)
    {
      char *id = rtm_invitation_id_new ();

      ck_assert (rtm_invitation_id_is_valid (id));
      ck_assert (!g_hash_table_contains (seen, id));
      g_hash_table_add (seen, id);
    }
  ck_assert (!rtm_invitation_id_is_valid ("0123456789ABCDEF0123456789abcdef"));
  ck_assert (!rtm_invitation_id_is_valid ("0123"));
}
END_TEST

START_TEST (test_tokens_verify_only_for_their_user_and_time)
{
  g_autofree char *token = rtm_token_mint ("s3cret", "alice", 2000);
  g_autofree char *tampered = NULL;

  ck_assert_int_eq (rtm_token_verify ("s3cret", "alice", token, 1000), RTM_WIRE_OK);
  ck_assert_int_eq (rtm_token_verify ("s3cret", "bob", token, 1000), RTM_WIRE_INVALID_TOKEN);
  ck_assert_int_eq (rtm_token_verify ("other", "alice", token, 1000), RTM_WIRE_INVALID_TOKEN);
  ck_assert_int_eq (rtm_token_verify ("s3cret", "alice", token, 2000), RTM_WIRE_TOKEN_EXPIRED);
  ck_assert_int_eq (rtm_token_verify ("s3cret", "alice", "garbage", 1000), RTM_WIRE_INVALID_TOKEN);
  ck_assert_int_eq (rtm_token_verify ("s3cret", "alice", "1:x:00", 1000), RTM_WIRE_INVALID_TOKEN);

  /* A later expiry with the old signature must not pass. */
  tampered = g_strdup (token);
  tampered[2] = '9';
  ck_assert_int_eq (rtm_token_verify ("s3cret", "alice", tampered, 1000), RTM_WIRE_INVALID_TOKEN);
}
END_TEST

START_TEST (test_error_frames_carry_code_and_req)
{
  g_autoptr(JsonObject) with_req = rtm_frame_new_error (9, RTM_WIRE_ALREADY_END, "over");
  g_autoptr(JsonObject) without = rtm_frame_new_error (0, RTM_WIRE_BAD_FRAME, NULL);

  ck_assert_str_eq (json_object_get_string_member (with_req, "code"), "ALREADY_END");
  ck_assert_int_eq (json_object_get_int_member (with_req, "req"), 9);
  ck_assert (!json_object_has_member (without, "req"));
  for (guint c = 0; c < RTM_WIRE_N_ERRORS; c++)
    ck_assert_int_eq (rtm_wire_error_from_string (rtm_wire_error_to_string ((RtmWireError) c)), c);
}
END_TEST

static Suite *
protocol_suite (void)
{
  Suite *s = suite_create ("protocol");
  TCase *tc = tcase_create ("codec");

  tcase_add_test (tc, test_every_frame_type_round_trips_by_name);
  tcase_add_test (tc, test_malformed_frames_are_named);
  tcase_add_test (tc, test_unknown_type_still_exposes_req);
  tcase_add_test (tc, test_field_readers_name_the_member);
  tcase_add_test (tc, test_string_limits_are_enforced);
  tcase_add_test (tc, test_ids_follow_the_documented_set);
  tcase_add_test (tc, test_invitation_ids_are_unique_hex);
  tcase_add_test (tc, test_tokens_verify_only_for_their_user_and_time);
  tcase_add_test (tc, test_error_frames_carry_code_and_req);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (protocol_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
